variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production."
  type        = string
}

variable "region" {
  description = "AWS region of the VPC (for the S3 gateway endpoint's service name)."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's address range; a /16 leaves room for three tiers of /20 subnets."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones, named explicitly (2 or 3) so the layout never changes when AWS adds one; the database and cache fail over between them."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3
    error_message = "Multi-AZ database and cache need 2 or 3 availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, for staging) instead of one per zone."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Days the VPC flow logs are kept."
  type        = number
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow-log group."
  type        = string
}
