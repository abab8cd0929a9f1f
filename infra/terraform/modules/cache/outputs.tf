output "primary_endpoint" {
  description = "Host name of the primary node (not public)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "replication_group_id" {
  description = "ElastiCache replication group id (alarms)."
  value       = aws_elasticache_replication_group.this.id
}

output "url_secret_arn" {
  description = "Secrets Manager ARN of SALTBITTER_REDIS_URL."
  value       = aws_secretsmanager_secret.url.arn
}
