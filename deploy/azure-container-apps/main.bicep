// Rcmd on Azure Container Apps: az deployment group create -g <rg> -f deploy/azure-container-apps/main.bicep -p @params.json
// Redis runs as an internal container app with TCP ingress and its AOF on an Azure Files share; Api and Worker each
// carry an rclone rcd sidecar on the app's loopback. Only the dashboard has external ingress (https only): users sign in
// with their accounts there (server mode); the Api, the Workers and Redis stay internal. Secrets are Container Apps secrets.
param location string = resourceGroup().location
param registry string
param imageTag string = 'latest'
@secure()
param redisPassword string
@secure()
param rcPassword string
@description('The first admin\'s password (user admin), used only while no admin account exists.')
@secure()
param bootstrapAdminPassword string
@secure()
param rcloneConf string
param storageAccountName string
@secure()
param storageAccountKey string

resource env 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'rcmd'
  location: location
  properties: {}
}

resource redisData 'Microsoft.App/managedEnvironments/storages@2024-03-01' = {
  parent: env
  name: 'redisdata'
  properties: {
    azureFile: {
      accountName: storageAccountName
      accountKey: storageAccountKey
      shareName: 'rcmd-redis'
      accessMode: 'ReadWrite'
    }
  }
}

var secrets = [
  { name: 'redis-password', value: redisPassword }
  { name: 'rc-pass', value: rcPassword }
  { name: 'bootstrap-admin-password', value: bootstrapAdminPassword }
  { name: 'rclone-conf', value: rcloneConf }
]

var serviceEnv = [
  { name: 'REDIS_PASSWORD', secretRef: 'redis-password' }
  { name: 'ConnectionStrings__redis', value: 'redis:6379,password=$(REDIS_PASSWORD)' }
  { name: 'services__rclone__http__0', value: 'http://127.0.0.1:5572/' }
  { name: 'Rclone__User', value: 'rcmd' }
  { name: 'Rclone__Password', secretRef: 'rc-pass' }
  // Server mode: every request signs in (README.md, "Security").
  { name: 'Rcmd__Auth__Mode', value: 'server' }
]

// The Api alone decides who may do what: the bootstrap admin and the paths jobs may use (every remote of rclone.conf).
var apiEnv = [
  { name: 'Rcmd__Auth__BootstrapAdminPassword', secretRef: 'bootstrap-admin-password' }
  { name: 'Rcmd__Paths__Remotes__0', value: '*' }
  { name: 'OTEL_SERVICE_NAME', value: 'api' }
]

var rcloneSidecar = {
  name: 'rclone'
  image: '${registry}/rcmd-rclone:${imageTag}'
  env: [
    { name: 'RCLONE_RC_USER', value: 'rcmd' }
    { name: 'RCLONE_RC_PASS', secretRef: 'rc-pass' }
  ]
  volumeMounts: [ { volumeName: 'rclone-config', mountPath: '/config/rclone' } ]
  resources: { cpu: json('0.25'), memory: '0.5Gi' }
}

var rcloneVolume = {
  name: 'rclone-config'
  storageType: 'Secret'
  secrets: [ { secretRef: 'rclone-conf', path: 'rclone.conf' } ]
}

var probes = [
  { type: 'Readiness', httpGet: { path: '/health', port: 8080 } }
  { type: 'Liveness', httpGet: { path: '/alive', port: 8080 } }
]

resource redis 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'redis'
  location: location
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      secrets: secrets
      ingress: { external: false, transport: 'tcp', targetPort: 6379, exposedPort: 6379 }
    }
    template: {
      containers: [
        {
          name: 'redis'
          image: 'redis:7'
          command: [ 'sh', '-c', 'exec redis-server --appendonly yes --save "" --dir /data --maxmemory 768mb --maxmemory-policy noeviction --requirepass "$REDIS_PASSWORD"' ]
          env: [ { name: 'REDIS_PASSWORD', secretRef: 'redis-password' } ]
          volumeMounts: [ { volumeName: 'data', mountPath: '/data' } ]
          resources: { cpu: json('0.5'), memory: '1Gi' }
        }
      ]
      volumes: [ { name: 'data', storageType: 'AzureFile', storageName: redisData.name } ]
      scale: { minReplicas: 1, maxReplicas: 1 }
    }
  }
}

resource api 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'api'
  location: location
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      secrets: secrets
      ingress: { external: false, targetPort: 8080 }
    }
    template: {
      containers: [
        {
          name: 'api'
          image: '${registry}/rcmd-api:${imageTag}'
          env: concat(serviceEnv, apiEnv)
          probes: probes
          resources: { cpu: json('0.5'), memory: '1Gi' }
        }
        rcloneSidecar
      ]
      volumes: [ rcloneVolume ]
      scale: { minReplicas: 1, maxReplicas: 3 }
    }
  }
}

resource worker 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'worker'
  location: location
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      secrets: secrets
      ingress: { external: false, targetPort: 8080 }
    }
    template: {
      containers: [
        {
          name: 'worker'
          image: '${registry}/rcmd-worker:${imageTag}'
          env: concat(serviceEnv, [ { name: 'OTEL_SERVICE_NAME', value: 'worker' } ])
          probes: probes
          resources: { cpu: json('0.5'), memory: '1Gi' }
        }
        rcloneSidecar
      ]
      volumes: [ rcloneVolume ]
      scale: { minReplicas: 2, maxReplicas: 10 }
    }
  }
}

resource web 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'web'
  location: location
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      secrets: secrets
      // Blazor Server keeps a circuit per browser: sticky sessions keep a browser on its replica. External, https only:
      // every page needs sign-in; the sign-in cookie's keys are in Redis (any replica reads it, a restart keeps it).
      ingress: { external: true, allowInsecure: false, targetPort: 8080, stickySessions: { affinity: 'sticky' } }
    }
    template: {
      containers: [
        {
          name: 'web'
          image: '${registry}/rcmd-web:${imageTag}'
          env: [
            { name: 'services__api__http__0', value: 'http://api' }
            { name: 'REDIS_PASSWORD', secretRef: 'redis-password' }
            { name: 'ConnectionStrings__redis', value: 'redis:6379,password=$(REDIS_PASSWORD)' }
            { name: 'Rcmd__Auth__Mode', value: 'server' }
            // The ingress terminates TLS: X-Forwarded-Proto makes the sign-in cookie Secure, X-Forwarded-For the browser's address.
            { name: 'ASPNETCORE_FORWARDEDHEADERS_ENABLED', value: 'true' }
            { name: 'OTEL_SERVICE_NAME', value: 'web' }
            // The dashboard's gen0 budget, 4 MiB (README, "The dashboard's memory"): read from the environment only.
            { name: 'DOTNET_GCgen0size', value: '0x400000' }
          ]
          probes: probes
          resources: { cpu: json('0.5'), memory: '1Gi' }
        }
      ]
      scale: { minReplicas: 1, maxReplicas: 3 }
    }
  }
}

output dashboardUrl string = 'https://${web.properties.configuration.ingress.fqdn}'
