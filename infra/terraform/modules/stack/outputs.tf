output "api_load_balancer_dns_name" {
  description = "Point the API host name (alias record) here."
  value       = module.edge.alb_dns_name
}

output "photos_distribution_domain" {
  description = "Point the photo CDN host name here."
  value       = module.storage.photos_distribution_domain
}

output "photos_public_key_ids" {
  description = "Name -> id of every public key the photo CDN trusts."
  value       = module.storage.photos_public_key_ids
}

output "media_bucket_name" {
  description = "The private media bucket."
  value       = module.storage.media_bucket_name
}

output "database_endpoint" {
  description = "PostgreSQL host (private)."
  value       = module.database.endpoint
}

output "cache_endpoint" {
  description = "Redis host (private)."
  value       = module.cache.primary_endpoint
}

output "cluster_name" {
  description = "ECS cluster."
  value       = module.compute.cluster_name
}

output "migrate_task_definition_arn" {
  description = "Run this task once before each release: `saltbitter db upgrade`."
  value       = module.compute.migrate_task_definition_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.observability.alarm_topic_arn
}
