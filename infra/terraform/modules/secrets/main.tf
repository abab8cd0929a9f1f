# One customer-managed KMS key per environment encrypts the database, cache, bucket, logs,
# alarms topic and secrets; Secrets Manager holds every secret the tasks read. Only the
# ECS task execution role may read them (compute module); nothing secret is in an image,
# a task definition's plain environment, or a variable default.

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111: a key policy's "*" resource means this key only; write access is limited to the account's IAM and two AWS services with conditions
  #checkov:skip=CKV_AWS_356: a key policy's "*" resource means this key only
  #checkov:skip=CKV_AWS_109: the account root statement is what lets IAM policies govern the key (AWS's default key policy); without it the key is unmanageable
  # The account administers the key through IAM (without this statement nobody could).
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  # CloudWatch Logs encrypts this environment's log groups with it.
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
  # CloudWatch alarms publish to the encrypted SNS topic.
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: data at rest (database, cache, bucket, logs, secrets)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

# The JWT signing key is generated here; rotating it is a new version (docs/operations.md).
resource "random_password" "jwt" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "jwt" {
  #checkov:skip=CKV2_AWS_57: rotation of the JWT key signs everyone out; it is rotated on purpose by the runbook in docs/operations.md, not by a Lambda
  name                    = "${var.name}/jwt-secret"
  description             = "SALTBITTER_JWT_SECRET: signs access tokens and photo links"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "jwt" {
  secret_id     = aws_secretsmanager_secret.jwt.id
  secret_string = random_password.jwt.result
}

# The private half of the photo CDN's signing key (SALTBITTER_CDN_PRIVATE_KEY, PEM): made
# by an operator with openssl and put here (docs/operations.md), so Terraform and its state
# never hold it; its public half is a variable of the storage module.
resource "aws_secretsmanager_secret" "cloudfront_private_key" {
  #checkov:skip=CKV2_AWS_57: the key is rotated by the runbook in docs/operations.md (a new public key must be trusted by CloudFront first), not by a Lambda
  name                    = "${var.name}/cloudfront-private-key"
  description             = "SALTBITTER_CDN_PRIVATE_KEY: signs photo URLs for CloudFront (RSA 2048, PEM)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days
}

# Keys issued by third parties: Terraform creates the secret, an operator puts the value
# (`aws secretsmanager put-secret-value`, docs/operations.md); Terraform never sees it.
resource "aws_secretsmanager_secret" "external" {
  #checkov:skip=CKV2_AWS_57: these keys are issued and rotated by Stripe and OpenAI; the new value is put by an operator, so there is no rotation Lambda
  for_each                = var.external_secrets
  name                    = "${var.name}/${each.key}"
  description             = each.value
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days
}
