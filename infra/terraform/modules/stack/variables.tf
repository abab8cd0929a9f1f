variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production (bucket names derive from it)."
  type        = string
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
}

variable "image" {
  description = "Container image of this release (repository@sha256:digest preferred)."
  type        = string
}

variable "api_domain_name" {
  description = "Public host name of the API, e.g. api.saltbitter.example."
  type        = string
}

variable "api_certificate_arn" {
  description = "ACM certificate of the API host name (same region)."
  type        = string
}

variable "photos_domain_name" {
  description = "Host name of the photo CDN."
  type        = string
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate (us-east-1) of the photo CDN host name."
  type        = string
}

variable "cloudfront_public_keys" {
  description = "Name -> public key (PEM) verifying signed photo URLs; two during a rotation."
  type        = map(string)
}

variable "cloudfront_signing_key" {
  description = "Which of cloudfront_public_keys the tasks sign with."
  type        = string
}

variable "mail_from_address" {
  description = "Verified SES sender address."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarms."
  type        = list(string)
  default     = []
}

variable "vpc_cidr_block" {
  description = "The VPC's address range."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones used (2 or 3), named explicitly."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (staging) instead of one per zone."
  type        = bool
  default     = false
}

variable "database_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "database_storage_gb" {
  description = "Initial database storage in GiB."
  type        = number
  default     = 100
}

variable "backup_retention_days" {
  description = "Days of automated database backups (point-in-time recovery window)."
  type        = number
  default     = 7
}

variable "cache_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "log_retention_days" {
  description = "Days logs are kept (CloudWatch log groups and the access-log bucket)."
  type        = number
  default     = 365
}

variable "api_min_tasks" {
  description = "Fewest api tasks."
  type        = number
  default     = 2
}

variable "api_max_tasks" {
  description = "Most api tasks."
  type        = number
  default     = 10
}

variable "worker_min_tasks" {
  description = "Fewest worker tasks."
  type        = number
  default     = 1
}

variable "worker_max_tasks" {
  description = "Most worker tasks."
  type        = number
  default     = 8
}

variable "extra_environment" {
  description = "Further non-secret SALTBITTER_* settings for every process."
  type        = map(string)
  default     = {}
}
