# Private S3 storage: `media` holds photos (photos/), message attachments and data exports
# (exports/); `logs` receives the access logs of the bucket, the load balancer and
# CloudFront. Nothing is public: members get short-lived signed links from the API.

data "aws_caller_identity" "current" {}

data "aws_elb_service_account" "this" {}

# ---- media ----

resource "aws_s3_bucket" "media" {
  #checkov:skip=CKV_AWS_144: cross-region replication is a disaster-recovery choice left to the operator (docs/operations.md); versioning + 30-day noncurrent retention covers deletion mistakes
  #checkov:skip=CKV2_AWS_62: no consumer of object events exists; the API records every object it writes in the database
  bucket        = "${var.name}-media"
  force_destroy = false
}

resource "aws_s3_bucket_public_access_block" "media" {
  bucket                  = aws_s3_bucket.media.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "media" {
  bucket = aws_s3_bucket.media.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "media" {
  bucket = aws_s3_bucket.media.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "media" {
  bucket = aws_s3_bucket.media.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "media" {
  bucket        = aws_s3_bucket.media.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/media/"
}

resource "aws_s3_bucket_lifecycle_configuration" "media" {
  bucket = aws_s3_bucket.media.id

  # Export archives are offered for 7 days; a day later they are gone.
  rule {
    id     = "expire-exports"
    status = "Enabled"
    filter {
      prefix = "exports/"
    }
    expiration {
      days = var.export_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  # Erased photos and replaced objects survive as old versions only briefly.
  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "media" {
  statement {
    sid     = "DenyPlainHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.media.arn,
      "${aws_s3_bucket.media.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  # CloudFront (origin access control) reads photos only, never exports.
  statement {
    sid       = "CloudFrontReadsPhotos"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.media.arn}/photos/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.photos.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "media" {
  bucket     = aws_s3_bucket.media.id
  policy     = data.aws_iam_policy_document.media.json
  depends_on = [aws_s3_bucket_public_access_block.media]
}

# ---- logs ----

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_144: access logs are not replicated across regions; losing them with a region is acceptable
  #checkov:skip=CKV_AWS_145: load balancer access logs can only be delivered to SSE-S3 (AES256) buckets, not SSE-KMS
  #checkov:skip=CKV_AWS_18: this is the access-log bucket itself; logging it into itself would loop
  #checkov:skip=CKV2_AWS_62: nothing consumes log-object events
  bucket        = "${var.name}-logs"
  force_destroy = false
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  #checkov:skip=CKV2_AWS_65: CloudFront standard logging delivers log objects with ACLs, so this log bucket must accept them
  bucket = aws_s3_bucket.logs.id
  rule {
    # CloudFront standard logging writes with ACLs.
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    id     = "expire-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "LoadBalancerWritesAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/alb/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.this.arn]
    }
  }
  statement {
    sid     = "DenyPlainHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.logs.arn,
      "${aws_s3_bucket.logs.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket     = aws_s3_bucket.logs.id
  policy     = data.aws_iam_policy_document.logs.json
  depends_on = [aws_s3_bucket_public_access_block.logs]
}

# ---- CloudFront for photos (signed URLs only) ----

resource "aws_cloudfront_origin_access_control" "media" {
  name                              = "${var.name}-media"
  description                       = "CloudFront signs its requests to the private media bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# One public key per name, so adding the next key during a rotation never replaces the
# current one (its id is what the tasks sign with). The key group trusts all of them.
resource "aws_cloudfront_public_key" "photos" {
  for_each    = var.cloudfront_public_keys
  name        = "${var.name}-photos-${each.key}"
  comment     = "Verifies the API's signed photo URLs (${each.key})"
  encoded_key = each.value
}

resource "aws_cloudfront_key_group" "photos" {
  name  = "${var.name}-photos"
  items = [for key in aws_cloudfront_public_key.photos : key.id]
}

resource "aws_cloudfront_response_headers_policy" "photos" {
  name = "${var.name}-photos"
  security_headers_config {
    content_type_options {
      override = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
  }
}

resource "aws_cloudfront_distribution" "photos" {
  #checkov:skip=CKV_AWS_68: WAF for CloudFront must live in us-east-1; this distribution serves only GETs of images behind signed URLs (no application logic), while the API behind the load balancer has its WAF (edge module)
  #checkov:skip=CKV_AWS_310: one origin; a failover origin would need a replicated bucket (see CKV_AWS_144 above)
  #checkov:skip=CKV_AWS_374: members are served worldwide; no country is blocked
  #checkov:skip=CKV_AWS_305: the distribution serves single photo objects by signed URL; there is no root document
  #checkov:skip=CKV2_AWS_47: the Log4j rule belongs to a WAF, skipped above for this image-only distribution
  enabled         = true
  is_ipv6_enabled = true
  comment         = "${var.name} photos (signed URLs)"
  price_class     = var.cloudfront_price_class

  origin {
    domain_name              = aws_s3_bucket.media.bucket_regional_domain_name
    origin_id                = "media"
    origin_access_control_id = aws_cloudfront_origin_access_control.media.id
    # The API keeps photos under photos/ and signs https://<photos host>/<key>: the
    # distribution reaches nothing outside photos/ (exports are never served).
    origin_path = "/photos"
  }

  default_cache_behavior {
    target_origin_id           = "media"
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    trusted_key_groups         = [aws_cloudfront_key_group.photos.id]
    cache_policy_id            = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.photos.id
  }

  logging_config {
    bucket          = aws_s3_bucket.logs.bucket_domain_name
    prefix          = "cloudfront/"
    include_cookies = false
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.cloudfront_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  aliases = [var.photos_domain_name]
}
