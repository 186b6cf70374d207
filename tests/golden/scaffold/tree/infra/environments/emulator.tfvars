# A local AWS emulator (moto server, LocalStack): point the provider's endpoints at it in a
# provider override file, then apply with this file. `emulator = true` leaves out what moto
# cannot create; README ("decompose scaffold") lists those resources and why.
environment         = "emu"
region              = "us-east-1"
availability_zones  = ["us-east-1a", "us-east-1b"]
emulator            = true
ami_id              = "ami-12c6146b"
min_size            = 1
max_size            = 2
deletion_protection = false
cache_size_gb       = "0.5"
# As dev: one Aurora Serverless v2 cluster per engine, scaling to zero.
shared_database_cluster = true
db_min_capacity         = 0
