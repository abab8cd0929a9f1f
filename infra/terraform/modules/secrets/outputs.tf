output "kms_key_arn" {
  description = "The environment's KMS key."
  value       = aws_kms_key.this.arn
}

output "secret_arns" {
  description = "Environment variable name -> Secrets Manager ARN, for the tasks' `secrets`."
  value = {
    SALTBITTER_JWT_SECRET            = aws_secretsmanager_secret.jwt.arn
    SALTBITTER_STRIPE_API_KEY        = aws_secretsmanager_secret.external["stripe-api-key"].arn
    SALTBITTER_STRIPE_WEBHOOK_SECRET = aws_secretsmanager_secret.external["stripe-webhook-secret"].arn
    SALTBITTER_OPENAI_API_KEY        = aws_secretsmanager_secret.external["openai-api-key"].arn
    SALTBITTER_CDN_PRIVATE_KEY       = aws_secretsmanager_secret.cloudfront_private_key.arn
  }
}
