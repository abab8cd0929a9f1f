output "api_load_balancer_dns_name" {
  description = "Point the API host name (alias record) here."
  value       = module.saltbitter.api_load_balancer_dns_name
}

output "photos_distribution_domain" {
  description = "Point the photo CDN host name here."
  value       = module.saltbitter.photos_distribution_domain
}

output "photos_public_key_ids" {
  description = "Name -> id of every public key the photo CDN trusts (rotation, docs/operations.md)."
  value       = module.saltbitter.photos_public_key_ids
}

output "cluster_name" {
  description = "ECS cluster."
  value       = module.saltbitter.cluster_name
}

output "migrate_task_definition_arn" {
  description = "Run once before each release."
  value       = module.saltbitter.migrate_task_definition_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.saltbitter.alarm_topic_arn
}
