environment         = "prod"
region              = "eu-west-1"
availability_zones  = ["eu-west-1a", "eu-west-1b"]
min_size            = 2
max_size            = 6
db_instance_count   = 2
deletion_protection = true
log_retention_days  = 365
