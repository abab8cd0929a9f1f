output "endpoint" {
  description = "Host name of the primary (not public)."
  value       = aws_db_instance.this.address
}

output "identifier" {
  description = "RDS instance identifier (alarms, restores)."
  value       = aws_db_instance.this.identifier
}

output "url_secret_arn" {
  description = "Secrets Manager ARN of SALTBITTER_DATABASE_URL."
  value       = aws_secretsmanager_secret.url.arn
}
