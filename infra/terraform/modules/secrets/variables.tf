variable "name" {
  description = "Prefix of every resource name, e.g. saltbitter-production."
  type        = string
}

variable "region" {
  description = "AWS region (the CloudWatch Logs service principal in the key policy)."
  type        = string
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 30
}

variable "external_secrets" {
  description = "Secrets issued by third parties: name -> what it is. Values are put by an operator."
  type        = map(string)
  default = {
    "stripe-api-key"        = "SALTBITTER_STRIPE_API_KEY: Stripe secret key"
    "stripe-webhook-secret" = "SALTBITTER_STRIPE_WEBHOOK_SECRET: the webhook endpoint's signing secret"
    "openai-api-key"        = "SALTBITTER_OPENAI_API_KEY: moderation and the AI coach"
  }
}
