variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the alarm topic."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each confirms by mail)."
  type        = list(string)
  default     = []
}

variable "alb_arn_suffix" {
  description = "Load balancer ARN suffix."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "API target group ARN suffix."
  type        = string
}

variable "database_identifier" {
  description = "RDS instance identifier."
  type        = string
}

variable "cache_replication_group_id" {
  description = "ElastiCache replication group id."
  type        = string
}

variable "queue_metric_namespace" {
  description = "CloudWatch namespace of the queue-depth metric."
  type        = string
  default     = "SaltBitter"
}

variable "task_queue" {
  description = "The Celery queue watched."
  type        = string
  default     = "saltbitter"
}

variable "p95_latency_seconds" {
  description = "API p95 latency alarm threshold in seconds (the promise is 200 ms)."
  type        = number
  default     = 0.2
}

variable "error_rate_percent" {
  description = "5xx share of responses that raises the alarm (the promise is under 1%)."
  type        = number
  default     = 1
}

variable "queue_depth_threshold" {
  description = "Waiting Celery tasks that raise the alarm."
  type        = number
  default     = 1000
}

variable "database_cpu_percent" {
  description = "Database CPU alarm threshold."
  type        = number
  default     = 80
}
