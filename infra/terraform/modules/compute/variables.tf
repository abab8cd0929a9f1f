variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production."
  type        = string
}

variable "image" {
  description = "Container image (repository:tag or @digest) built from the repository's Dockerfile."
  type        = string
}

variable "vpc_cidr_block" {
  description = "The VPC's range: the load balancer's X-Forwarded-For is trusted from it."
  type        = string
}

variable "app_subnet_ids" {
  description = "Private subnets of the tasks."
  type        = list(string)
}

variable "tasks_security_group_id" {
  description = "Security group of the tasks."
  type        = string
}

variable "target_group_arn" {
  description = "Load balancer target group of the api service."
  type        = string
}

variable "container_port" {
  description = "Port the api container listens on."
  type        = number
  default     = 8000
}

variable "secret_arns" {
  description = "Environment variable name -> Secrets Manager ARN; the only way secrets reach the tasks."
  type        = map(string)
}

variable "cdn_base_url" {
  description = "Base of the signed photo URLs, https://<photo CDN host> (SALTBITTER_CDN_BASE_URL)."
  type        = string
}

variable "cdn_key_pair_id" {
  description = "Id of the CloudFront public key whose private half (secret SALTBITTER_CDN_PRIVATE_KEY) signs photo URLs."
  type        = string
}

variable "extra_environment" {
  description = "Further non-secret settings (SALTBITTER_* name -> value). Never put a credential here."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.extra_environment) : !can(regex("(SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE_KEY|DATABASE_URL|REDIS_URL|BROKER_URL)", key))])
    error_message = "Credentials go in secret_arns (Secrets Manager), not in the plain environment."
  }
}

variable "media_bucket_name" {
  description = "The media bucket (photos, attachments, exports)."
  type        = string
}

variable "media_bucket_arn" {
  description = "ARN of the media bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the bucket, secrets and log groups."
  type        = string
}

variable "public_base_url" {
  description = "The API's public address (checkout return URLs, links in mail)."
  type        = string
}

variable "mail_from_address" {
  description = "The SES sender address the task role may send from."
  type        = string
}

variable "task_queue" {
  description = "The Celery queue the workers consume (SALTBITTER_TASK_QUEUE)."
  type        = string
  default     = "saltbitter"
}

variable "queue_metric_namespace" {
  description = "CloudWatch namespace of the queue-depth metric Beat publishes."
  type        = string
  default     = "SaltBitter"
}

variable "log_retention_days" {
  description = "Days the processes' logs are kept."
  type        = number
}

variable "api_cpu" {
  description = "CPU units of an api task (1024 = 1 vCPU)."
  type        = number
  default     = 1024
}

variable "api_memory" {
  description = "Memory of an api task in MiB."
  type        = number
  default     = 2048
}

variable "api_workers_per_task" {
  description = "Server worker processes in one api task."
  type        = number
  default     = 2
}

variable "api_min_tasks" {
  description = "Fewest api tasks (at least two, in different zones)."
  type        = number
  default     = 2
}

variable "api_max_tasks" {
  description = "Most api tasks autoscaling may run."
  type        = number
  default     = 10
}

variable "worker_cpu" {
  description = "CPU units of a worker task."
  type        = number
  default     = 1024
}

variable "worker_memory" {
  description = "Memory of a worker task in MiB."
  type        = number
  default     = 2048
}

variable "worker_concurrency" {
  description = "Celery child processes per worker task."
  type        = number
  default     = 2
}

variable "worker_min_tasks" {
  description = "Fewest worker tasks."
  type        = number
  default     = 1
}

variable "worker_max_tasks" {
  description = "Most worker tasks autoscaling may run."
  type        = number
  default     = 8
}

variable "worker_target_backlog" {
  description = "Queued tasks per worker that autoscaling aims for."
  type        = number
  default     = 100
}
