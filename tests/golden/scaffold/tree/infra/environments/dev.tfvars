# Sizing of dev, computed by decomposer (infra/README.md: Cost estimate).
environment             = "dev"
region                  = "eu-west-1"
availability_zones      = ["eu-west-1a", "eu-west-1b"]
min_size                = 1
max_size                = 2
instance_type           = "t3.micro"
db_instance_class       = "db.serverless"
db_instance_count       = 1
db_min_capacity         = 0
db_max_capacity         = 4
shared_database_cluster = true
cache_size_gb           = null
deletion_protection     = false
log_retention_days      = 365

# API Gateway's account settings (its CloudWatch logging role) are one per account and region:
# this environment owns them. Another environment in the same account and region sets false.
manage_api_gateway_account = true
alarm_email                = ""
