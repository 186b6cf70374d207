# Sizing of prod, computed by decomposer (infra/README.md: Cost estimate).
environment             = "prod"
region                  = "eu-west-1"
availability_zones      = ["eu-west-1a", "eu-west-1b"]
min_size                = 2
max_size                = 6
instance_type           = "t3.small"
db_instance_class       = "db.serverless"
db_instance_count       = 2
db_min_capacity         = 0.5
db_max_capacity         = 16
shared_database_cluster = false
cache_size_gb           = "0.5"
deletion_protection     = true
log_retention_days      = 365

# API Gateway's account settings (its CloudWatch logging role) are one per account and region,
# owned by the environment that sets true (dev); set true here if prod has an account
# or region of its own.
manage_api_gateway_account = false
alarm_email                = ""
