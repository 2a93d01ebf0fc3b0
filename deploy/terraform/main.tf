# rbac-claims as an Auth0 post-login Action, managed with Terraform (see docs/deploy.md).
#
# Build first: `make bundle` writes dist/rbac-claims-action.js, which `code` reads below.
# The auth0 provider reads AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET from the environment:
# the credentials of the machine-to-machine application Terraform itself uses (not the one below).
# Secret values end up in the Terraform state: keep the state private.

terraform {
  required_version = ">= 1.5"
  required_providers {
    auth0 = {
      source  = "auth0/auth0"
      version = ">= 1.11.0" # the first release whose auth0_action accepts runtime node22
    }
  }
}

provider "auth0" {}

variable "namespace" {
  description = "Claim namespace: an http(s) URL or a URN, e.g. https://rbac.example.com"
  type        = string
}

variable "domain" {
  description = "Tenant domain for the Management API, e.g. your-tenant.eu.auth0.com"
  type        = string
}

variable "client_id" {
  description = "Client ID of the rbac-claims M2M application (Management API, read:users)"
  type        = string
}

variable "client_secret" {
  description = "Client secret of the rbac-claims M2M application"
  type        = string
  sensitive   = true
}

variable "options" {
  description = "Optional settings as Action secrets, e.g. { permissionsFor = \"requested\", onError = \"continue\" }"
  type        = map(string)
  default     = {}
}

resource "auth0_action" "rbac_claims" {
  name    = "rbac-claims"
  runtime = "node22"
  deploy  = true
  code    = file("${path.module}/../../dist/rbac-claims-action.js")

  supported_triggers {
    id      = "post-login"
    version = "v3"
  }

  secrets {
    name  = "namespace"
    value = var.namespace
  }

  secrets {
    name  = "domain"
    value = var.domain
  }

  secrets {
    name  = "clientId"
    value = var.client_id
  }

  secrets {
    name  = "clientSecret"
    value = var.client_secret
  }

  dynamic "secrets" {
    for_each = var.options
    content {
      name  = secrets.key
      value = secrets.value
    }
  }
}

# Binds the Action to the Login flow (appended after the Actions already there).
resource "auth0_trigger_action" "rbac_claims" {
  trigger   = "post-login"
  action_id = auth0_action.rbac_claims.id
}

output "action_version_id" {
  description = "The deployed version: note it down to know what to roll back to"
  value       = auth0_action.rbac_claims.version_id
}
