# ECS on Fargate: one image, three services.
#   api    - `saltbitter serve`, behind the load balancer, scaled on CPU and memory
#   worker - `saltbitter worker`, scaled on the Celery queue depth
#   beat   - `saltbitter beat`, exactly one task at all times (never two schedulers)
# plus a one-off `migrate` task definition (`saltbitter db upgrade`) run before each release.
# Secrets reach the containers only through `secrets` (Secrets Manager, read by the
# execution role); the plain environment holds no credential.

data "aws_region" "current" {}

locals {
  # Plain settings only; credentials arrive through `secrets` below.
  base_environment = {
    SALTBITTER_ENVIRONMENT         = "production"
    SALTBITTER_LOG_JSON            = "true"
    SALTBITTER_TASKS               = "celery"
    SALTBITTER_IN_PROCESS_SCHEDULE = "false"
    SALTBITTER_TASK_QUEUE          = var.task_queue
    SALTBITTER_S3_BUCKET           = var.media_bucket_name
    SALTBITTER_S3_REGION           = data.aws_region.current.name
    SALTBITTER_SES_REGION          = data.aws_region.current.name
    SALTBITTER_PUBLIC_BASE_URL     = var.public_base_url
    SALTBITTER_TRUSTED_PROXIES     = var.vpc_cidr_block
    SALTBITTER_QUEUE_METRIC_NAMESPACE = var.queue_metric_namespace
    SALTBITTER_CLOUDWATCH_REGION      = data.aws_region.current.name
    # Photo links through CloudFront; the private key arrives as a secret.
    SALTBITTER_CDN_BASE_URL    = var.cdn_base_url
    SALTBITTER_CDN_KEY_PAIR_ID = var.cdn_key_pair_id
  }
  environment = [
    for key, value in merge(local.base_environment, var.extra_environment) : { name = key, value = value }
  ]
  secrets = [for key, arn in var.secret_arns : { name = key, valueFrom = arn }]

  # Fargate has no tmpfs; the root file system is read-only and the data folder (Beat's
  # schedule file) is the task's ephemeral storage.
  data_volume = "data"
  mount_points = [{
    sourceVolume  = local.data_volume
    containerPath = "/var/lib/saltbitter"
    readOnly      = false
  }]

  processes = {
    api = {
      command = ["serve", "--host", "0.0.0.0", "--port", tostring(var.container_port), "--workers", tostring(var.api_workers_per_task)]
      cpu     = var.api_cpu
      memory  = var.api_memory
    }
    worker = {
      command = ["worker", "--concurrency", tostring(var.worker_concurrency)]
      cpu     = var.worker_cpu
      memory  = var.worker_memory
    }
    beat = {
      command = ["beat"]
      cpu     = 256
      memory  = 512
    }
    migrate = {
      command = ["db", "upgrade"]
      cpu     = 256
      memory  = 512
    }
  }

  # Only the api serves HTTP, so only it is probed (the image's HEALTHCHECK, repeated here
  # because ECS ignores Docker's); worker and beat are essential containers that ECS
  # replaces when their process exits.
  health_checks = {
    api     = ["CMD", "python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:${var.container_port}/health/live', timeout=2).status != 200)"]
    worker  = null
    beat    = null
    migrate = null
  }
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "process" {
  for_each          = local.processes
  name              = "/saltbitter/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# ---- roles ----

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The execution role pulls the image, writes logs and reads the secrets: nothing else can.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "read_secrets" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.secret_arns)
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "read_secrets" {
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.read_secrets.json
}

# The task role is what the application's own AWS calls use: the media bucket, SES, and
# the queue-depth metric.
resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "MediaObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.media_bucket_arn}/*"]
  }
  statement {
    sid       = "MediaListing"
    actions   = ["s3:ListBucket"]
    resources = [var.media_bucket_arn]
  }
  statement {
    sid       = "MediaEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
  statement {
    sid       = "SendMail"
    actions   = ["ses:SendRawEmail", "ses:SendEmail"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.mail_from_address]
    }
  }
  statement {
    sid       = "QueueDepthMetric"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.queue_metric_namespace]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "saltbitter-application"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# ---- task definitions ----

resource "aws_ecs_task_definition" "process" {
  for_each                 = local.processes
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = local.data_volume
  }

  container_definitions = jsonencode(concat([{
    name                   = each.key
    image                  = var.image
    command                = each.value.command
    essential              = true
    readonlyRootFilesystem = true
    privileged             = false
    user                   = "10001:10001"
    environment            = local.environment
    secrets                = local.secrets
    mountPoints            = local.mount_points
    portMappings           = each.key == "api" ? [{ containerPort = var.container_port, protocol = "tcp" }] : []
    healthCheck = local.health_checks[each.key] == null ? null : {
      command     = local.health_checks[each.key]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    stopTimeout = each.key == "worker" ? 120 : 30
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.process[each.key].name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = each.key
      }
    }
    }],
    # Beside Beat: `saltbitter queue-metrics` publishes the queue depth every minute (the
    # worker autoscaling's metric). Not a task in the queue it measures, so a backlog
    # never delays its own measurement.
    each.key == "beat" ? [{
      name                   = "queue-metrics"
      image                  = var.image
      command                = ["queue-metrics", "--every", "60"]
      essential              = false
      readonlyRootFilesystem = true
      privileged             = false
      user                   = "10001:10001"
      environment            = local.environment
      secrets                = local.secrets
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.process[each.key].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "queue-metrics"
        }
      }
    }] : []
  ))
}

# ---- services ----

resource "aws_ecs_service" "api" {
  name                              = "api"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.process["api"].arn
  launch_type                       = "FARGATE"
  desired_count                     = var.api_min_tasks
  health_check_grace_period_seconds = 60
  propagate_tags                    = "SERVICE"

  network_configuration {
    subnets          = var.app_subnet_ids
    security_groups  = [var.tasks_security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "api"
    container_port   = var.container_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count] # autoscaling owns it
  }
}

resource "aws_ecs_service" "worker" {
  name            = "worker"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.process["worker"].arn
  launch_type     = "FARGATE"
  desired_count   = var.worker_min_tasks
  propagate_tags  = "SERVICE"

  network_configuration {
    subnets          = var.app_subnet_ids
    security_groups  = [var.tasks_security_group_id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count]
  }
}

# Exactly one Beat: a deployment stops the old task before starting the new one
# (maximum 100%, minimum 0%), so two schedulers never run at once.
resource "aws_ecs_service" "beat" {
  name                               = "beat"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.process["beat"].arn
  launch_type                        = "FARGATE"
  desired_count                      = 1
  deployment_maximum_percent         = 100
  deployment_minimum_healthy_percent = 0
  propagate_tags                     = "SERVICE"

  network_configuration {
    subnets          = var.app_subnet_ids
    security_groups  = [var.tasks_security_group_id]
    assign_public_ip = false
  }
}

# ---- autoscaling ----

resource "aws_appautoscaling_target" "api" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.api.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.api_min_tasks
  max_capacity       = var.api_max_tasks
}

resource "aws_appautoscaling_policy" "api_cpu" {
  name               = "${var.name}-api-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.api.service_namespace
  resource_id        = aws_appautoscaling_target.api.resource_id
  scalable_dimension = aws_appautoscaling_target.api.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 70
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "api_memory" {
  name               = "${var.name}-api-memory"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.api.service_namespace
  resource_id        = aws_appautoscaling_target.api.resource_id
  scalable_dimension = aws_appautoscaling_target.api.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 80
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageMemoryUtilization"
    }
  }
}

resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.worker_min_tasks
  max_capacity       = var.worker_max_tasks
}

# Workers follow the backlog: the queue depth Beat publishes every minute, divided by the
# running workers, kept near `worker_target_backlog` tasks each.
resource "aws_appautoscaling_policy" "worker_backlog" {
  name               = "${var.name}-worker-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.worker_target_backlog
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "depth"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = var.queue_metric_namespace
            metric_name = "QueueDepth"
            dimensions {
              name  = "Queue"
              value = var.task_queue
            }
          }
        }
      }
      metrics {
        id          = "workers"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.worker.name
            }
          }
        }
      }
      metrics {
        id          = "backlog_per_worker"
        expression  = "depth / IF(workers > 0, workers, 1)"
        label       = "Queued tasks per worker"
        return_data = true
      }
    }
  }
}
