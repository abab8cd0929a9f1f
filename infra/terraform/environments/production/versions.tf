terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State holds generated passwords: keep it in an encrypted, versioned bucket with
  # locking. Give bucket, key and table at `terraform init -backend-config=...`.
  backend "s3" {
    encrypt = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      application = "saltbitter"
      environment = var.environment
      managed_by  = "terraform"
    }
  }
}
