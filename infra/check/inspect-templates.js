#!/usr/bin/env node
'use strict';
// Prints, as JSON, what infra/main.bicep deploys for each hosting plan: the queues, the blob
// containers, the Function App's app-setting names, the secure parameters and the outputs.
// tests/EventRouter.Infrastructure.Tests and infra/check/check-templates.js read this.
//
//   node infra/check/inspect-templates.js [path/to/main.bicep]
const path = require('path');
const { repoRoot } = require('./lib');
const { loadTemplate, expandResources, isUnknown, EvalError } = require('./bicep-model');

const QUEUE_TYPE = 'Microsoft.Storage/storageAccounts/queueServices/queues';
const CONTAINER_TYPE = 'Microsoft.Storage/storageAccounts/blobServices/containers';
const SITE_CONFIG_TYPE = 'Microsoft.Web/sites/config';
const HOSTING_PLANS = ['FlexConsumption', 'ElasticPremium'];

function knownName(r) {
  if (typeof r.name !== 'string') {
    throw new EvalError(`${r.module || 'main'}/${r.symbol}: the ${r.type} name is not known before deployment (${r.name}); derive it from infra/routes.json`);
  }
  if (r.condition !== true) {
    throw new EvalError(`${r.module || 'main'}/${r.symbol}: whether ${r.name} is created depends on '${r.condition}'; queues and containers must always exist`);
  }
  return r.name;
}

function inspect(mainFile) {
  const main = loadTemplate(mainFile);
  const plans = {};
  for (const plan of HOSTING_PLANS) {
    const resources = expandResources(mainFile, { hostingPlan: plan });
    const queues = resources.filter((r) => r.type === QUEUE_TYPE).map(knownName);
    const containers = resources.filter((r) => r.type === CONTAINER_TYPE).map(knownName);
    const appSettingsResources = resources.filter((r) => r.type === SITE_CONFIG_TYPE && r.name === 'appsettings');
    if (appSettingsResources.length !== 1) {
      throw new EvalError(`expected exactly one Microsoft.Web/sites/config 'appsettings' resource, found ${appSettingsResources.length}`);
    }
    const settings = appSettingsResources[0].properties;
    if (!settings || isUnknown(settings) || typeof settings !== 'object') {
      throw new EvalError(`the app settings for ${plan} are not known before deployment (${settings})`);
    }
    const site = resources.find((r) => r.type === 'Microsoft.Web/sites');
    const siteConfig = site && site.properties && site.properties.siteConfig;
    plans[plan] = {
      queues,
      containers,
      appSettings: Object.keys(settings).sort(),
      // Known values as they are; interpolated ones with '${?}' where a deployment-time value goes.
      appSettingValues: Object.fromEntries(Object.keys(settings).sort().map((k) => [k, isUnknown(settings[k]) && settings[k].partial !== null ? settings[k].partial : String(settings[k])])),
      containerAccess: Object.fromEntries(resources.filter((r) => r.type === CONTAINER_TYPE)
        .map((r) => [String(r.name), r.properties ? String(r.properties.publicAccess) : 'unset'])),
      functionsRuntimeScaleMonitoringEnabled: siteConfig && siteConfig.functionsRuntimeScaleMonitoringEnabled === true,
      functionAppConfigRuntime: site && site.properties && site.properties.functionAppConfig ? site.properties.functionAppConfig.runtime : null,
      linuxFxVersion: siteConfig && typeof siteConfig.linuxFxVersion === 'string' ? siteConfig.linuxFxVersion : null,
      planSku: (() => {
        const farm = resources.find((r) => r.type === 'Microsoft.Web/serverfarms');
        return farm && farm.sku ? farm.sku.name : null;
      })(),
      resourceTypes: [...new Set(resources.map((r) => r.type))].sort(),
      resources: resources
        .filter((r) => r.type !== QUEUE_TYPE && r.type !== CONTAINER_TYPE)
        .map((r) => ({ module: r.module, symbol: r.symbol, type: r.type, apiVersion: r.apiVersion, name: r.name, condition: r.condition, kind: r.kind, sku: r.sku, properties: r.properties })),
    };
  }
  const secureParams = [...main.params.values()].filter((p) => p.secure).map((p) => p.name);
  const outputs = main.outputs.map((o) => ({ name: o.name, type: o.type, expression: o.expression }));
  return { template: path.relative(repoRoot, mainFile).split(path.sep).join('/'), hostingPlans: plans, secureParams, outputs };
}

if (require.main === module) {
  const mainFile = path.resolve(process.argv[2] || path.join(repoRoot, 'infra', 'main.bicep'));
  try {
    process.stdout.write(JSON.stringify(inspect(mainFile), null, 2) + '\n');
  } catch (err) {
    if (err instanceof EvalError) {
      console.error(`error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

module.exports = { inspect };
