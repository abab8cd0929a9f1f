variable "environment" {
  description = "Environment name."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-central-1"
}

variable "image" {
  description = "Container image of the release to run."
  type        = string
}

variable "api_domain_name" {
  description = "Public host name of the API."
  type        = string
}

variable "api_certificate_arn" {
  description = "ACM certificate of the API host name."
  type        = string
}

variable "photos_domain_name" {
  description = "Host name of the photo CDN."
  type        = string
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate (us-east-1) of the photo CDN."
  type        = string
}

variable "cloudfront_public_keys" {
  description = "Name -> public key (PEM) verifying signed photo URLs; two during a rotation (docs/operations.md)."
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
  description = "Addresses that receive the alarms."
  type        = list(string)
  default     = []
}
