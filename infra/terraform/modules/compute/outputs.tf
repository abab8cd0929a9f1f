output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service names by process."
  value = {
    api    = aws_ecs_service.api.name
    worker = aws_ecs_service.worker.name
    beat   = aws_ecs_service.beat.name
  }
}

output "migrate_task_definition_arn" {
  description = "Task definition to run `saltbitter db upgrade` once before a release."
  value       = aws_ecs_task_definition.process["migrate"].arn
}

output "task_role_arn" {
  description = "Role of the application's own AWS calls."
  value       = aws_iam_role.task.arn
}
