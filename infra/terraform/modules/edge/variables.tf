variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production."
  type        = string
}

variable "vpc_id" {
  description = "The VPC."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the load balancer."
  type        = list(string)
}

variable "tasks_security_group_id" {
  description = "Security group of the tasks; the load balancer is let in on the container port."
  type        = string
}

variable "container_port" {
  description = "Port the api container listens on."
  type        = number
  default     = 8000
}

variable "certificate_arn" {
  description = "ACM certificate of the API's host name."
  type        = string
}

variable "logs_bucket_name" {
  description = "Bucket that receives the load balancer's access logs."
  type        = string
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests per client address per 5 minutes before the WAF blocks it."
  type        = number
  default     = 3000
}

variable "log_retention_days" {
  description = "Days WAF logs are kept."
  type        = number
}

variable "kms_key_arn" {
  description = "KMS key of the WAF log group."
  type        = string
}
