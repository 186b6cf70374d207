provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = local.project
      Environment = var.environment
      ManagedBy   = "decomposer"
    }
  }
}
