# One SaltBitter environment: the modules wired together. The environment roots
# (environments/staging, environments/production) call this with their sizes.

module "secrets" {
  source = "../secrets"
  name   = var.name
  region = var.region
}

module "network" {
  source             = "../network"
  name               = var.name
  region             = var.region
  cidr_block         = var.vpc_cidr_block
  availability_zones = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  log_retention_days = var.log_retention_days
  kms_key_arn        = module.secrets.kms_key_arn
}

module "database" {
  source                   = "../database"
  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.data_subnet_ids
  client_security_group_id = module.network.tasks_security_group_id
  kms_key_arn              = module.secrets.kms_key_arn
  instance_class           = var.database_instance_class
  allocated_storage_gb     = var.database_storage_gb
  backup_retention_days    = var.backup_retention_days
}

module "cache" {
  source                   = "../cache"
  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.data_subnet_ids
  client_security_group_id = module.network.tasks_security_group_id
  kms_key_arn              = module.secrets.kms_key_arn
  node_type                = var.cache_node_type
  log_retention_days       = var.log_retention_days
}

module "storage" {
  source                     = "../storage"
  name                       = var.name
  kms_key_arn                = module.secrets.kms_key_arn
  log_retention_days         = var.log_retention_days
  photos_domain_name         = var.photos_domain_name
  cloudfront_certificate_arn = var.cloudfront_certificate_arn
  cloudfront_public_keys     = var.cloudfront_public_keys
  cloudfront_signing_key     = var.cloudfront_signing_key
}

module "edge" {
  source                  = "../edge"
  name                    = var.name
  vpc_id                  = module.network.vpc_id
  public_subnet_ids       = module.network.public_subnet_ids
  tasks_security_group_id = module.network.tasks_security_group_id
  certificate_arn         = var.api_certificate_arn
  logs_bucket_name        = module.storage.logs_bucket_name
  log_retention_days      = var.log_retention_days
  kms_key_arn             = module.secrets.kms_key_arn
}

module "compute" {
  source                  = "../compute"
  name                    = var.name
  image                   = var.image
  vpc_cidr_block          = module.network.vpc_cidr_block
  app_subnet_ids          = module.network.app_subnet_ids
  tasks_security_group_id = module.network.tasks_security_group_id
  target_group_arn        = module.edge.target_group_arn
  media_bucket_name       = module.storage.media_bucket_name
  media_bucket_arn        = module.storage.media_bucket_arn
  kms_key_arn             = module.secrets.kms_key_arn
  public_base_url         = "https://${var.api_domain_name}"
  mail_from_address       = var.mail_from_address
  cdn_base_url            = module.storage.photos_base_url
  cdn_key_pair_id         = module.storage.photos_signing_key_id
  log_retention_days      = var.log_retention_days
  extra_environment       = merge({ SALTBITTER_MAIL_SENDER = "SaltBitter <${var.mail_from_address}>" }, var.extra_environment)
  api_min_tasks           = var.api_min_tasks
  api_max_tasks           = var.api_max_tasks
  worker_min_tasks        = var.worker_min_tasks
  worker_max_tasks        = var.worker_max_tasks

  # Every secret the processes read, each from Secrets Manager.
  secret_arns = merge(module.secrets.secret_arns, {
    SALTBITTER_DATABASE_URL = module.database.url_secret_arn
    SALTBITTER_REDIS_URL    = module.cache.url_secret_arn
  })
}

module "observability" {
  source                     = "../observability"
  name                       = var.name
  kms_key_arn                = module.secrets.kms_key_arn
  alarm_emails               = var.alarm_emails
  alb_arn_suffix             = module.edge.alb_arn_suffix
  target_group_arn_suffix    = module.edge.target_group_arn_suffix
  database_identifier        = module.database.identifier
  cache_replication_group_id = module.cache.replication_group_id
}
