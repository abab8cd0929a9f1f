variable "name" {
  description = "Prefix of every resource name; bucket names derive from it, so it must be globally unique."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the media bucket."
  type        = string
}

variable "export_retention_days" {
  description = "Days a data-export archive stays in the bucket (links are valid 7 days)."
  type        = number
  default     = 8
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object's old version is kept (erasure completes after this)."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Days access logs are kept."
  type        = number
}

variable "photos_domain_name" {
  description = "Host name of the photo CDN, e.g. photos.saltbitter.example."
  type        = string
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate (in us-east-1) for the photo CDN's host name."
  type        = string
}

variable "cloudfront_public_keys" {
  description = "Name -> public key (PEM, RSA 2048) trusted for signed photo URLs; two during a rotation (docs/operations.md). The private halves are secrets, never here."
  type        = map(string)

  validation {
    condition     = length(var.cloudfront_public_keys) >= 1 && alltrue([for pem in values(var.cloudfront_public_keys) : can(regex("^-----BEGIN PUBLIC KEY-----", trimspace(pem)))])
    error_message = "Give at least one public key, in PEM (-----BEGIN PUBLIC KEY-----); never a private key."
  }
}

variable "cloudfront_signing_key" {
  description = "Which of cloudfront_public_keys the tasks sign with (its private half is the cloudfront-private-key secret)."
  type        = string
}

variable "cloudfront_price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
}
