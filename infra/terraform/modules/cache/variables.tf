variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production."
  type        = string
}

variable "vpc_id" {
  description = "The VPC of the cache."
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
  description = "KMS key for data at rest, the slow log and the URL secret."
  type        = string
}

variable "engine_version" {
  description = "Redis engine version."
  type        = string
  default     = "7.1"
}

variable "node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "node_count" {
  description = "Nodes in the replication group (primary + replicas, at least 2 for failover)."
  type        = number
  default     = 2

  validation {
    condition     = var.node_count >= 2
    error_message = "Automatic failover needs at least two nodes."
  }
}

variable "log_retention_days" {
  description = "Days the slow log is kept."
  type        = number
}
