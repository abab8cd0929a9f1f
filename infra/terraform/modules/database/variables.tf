variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production."
  type        = string
}

variable "vpc_id" {
  description = "The VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "The private data subnets (no route to the internet)."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group of the tasks, the only one allowed to connect."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and the URL secret."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version (major.minor)."
  type        = string
  default     = "16.4"
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "allocated_storage_gb" {
  description = "Initial storage; autoscaling may grow it to four times this."
  type        = number
  default     = 100
}

variable "backup_retention_days" {
  description = "Days of automated backups, the point-in-time recovery window."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 7
    error_message = "Keep at least 7 days of backups."
  }
}
