#!/usr/bin/env node
'use strict';
// Checks what a Bicep compiler cannot check here and a reviewer easily misses: that the
// templates create exactly the queues and containers infra/routes.json describes, set every app
// setting infra/app-settings.json requires, keep storage identity-only, and that the parameter
// files and module calls match the parameters they feed.
//
//   node infra/check/check-templates.js          human-readable, exit 1 on any failure
//   node infra/check/check-templates.js --json   one JSON object per check (for the xunit tests)
const fs = require('fs');
const path = require('path');
const { repoRoot, listFiles, rel, printResults } = require('./lib');
const { loadTemplate, Evaluator, isUnknown, EvalError } = require('./bicep-model');
const { inspect } = require('./inspect-templates');

const infra = path.join(repoRoot, 'infra');
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

const results = [];
function check(name, fn) {
  const problems = [];
  try {
    fn((msg) => problems.push(msg));
  } catch (err) {
    problems.push(err instanceof EvalError ? err.message : (err.stack || String(err)));
  }
  results.push({ name, passed: problems.length === 0, problems });
}

// Independent of main.bicep on purpose: the rule as the contract states it.
function expectedQueues(routes) {
  const category = routes.categories.map((c) => `events-${c.toLowerCase().split('_').join('-')}`);
  const triggered = category.concat(routes.extraQueues);
  return triggered.concat([routes.poisonQueue], triggered.map((q) => `${q}-poison`));
}

const validQueueName = (n) => /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(n);
const validContainerName = validQueueName;

function sameSet(a, b) {
  const missing = [...new Set(b)].filter((x) => !a.includes(x));
  const extra = [...new Set(a)].filter((x) => !b.includes(x));
  return { missing, extra };
}

const routes = readJson(path.join(infra, 'routes.json'));
const settingsDoc = readJson(path.join(infra, 'app-settings.json'));
let report;
check('templates evaluate', () => { report = inspect(path.join(infra, 'main.bicep')); });
const plans = report ? Object.keys(report.hostingPlans) : [];
const plan = (p) => report.hostingPlans[p];

check('queues equal routes.json derivation', (fail) => {
  const expected = expectedQueues(routes);
  for (const p of plans) {
    const { missing, extra } = sameSet(plan(p).queues, expected);
    if (missing.length) fail(`${p}: template does not create ${missing.join(', ')}`);
    if (extra.length) fail(`${p}: template creates queues not derived from routes.json: ${extra.join(', ')}`);
    const dupes = plan(p).queues.filter((q, i, all) => all.indexOf(q) !== i);
    if (dupes.length) fail(`${p}: duplicate queues ${dupes.join(', ')}`);
  }
});

check('queue names valid for Azure Storage', (fail) => {
  for (const q of expectedQueues(routes)) if (!validQueueName(q)) fail(`invalid queue name '${q}'`);
  const triggered = expectedQueues(routes).filter((q) => !q.endsWith('-poison') && q !== routes.poisonQueue);
  for (const q of triggered) if (q.length > 56) fail(`'${q}' is longer than 56 characters, so '${q}-poison' would not fit`);
});

check('containers equal routes.json plus the deployment container', (fail) => {
  for (const p of plans) {
    const { missing, extra } = sameSet(plan(p).containers, routes.containers.concat(['app-package']));
    if (missing.length) fail(`${p}: template does not create ${missing.join(', ')}`);
    if (extra.length) fail(`${p}: unexpected containers ${extra.join(', ')}`);
    for (const c of plan(p).containers) if (!validContainerName(c)) fail(`invalid container name '${c}'`);
    for (const [c, access] of Object.entries(plan(p).containerAccess)) if (access !== 'None') fail(`${p}: container ${c} publicAccess is ${access}`);
  }
});

const appliesTo = (s, p) => !s.plans || s.plans.includes(p);
const matches = (s, name) => (s.pattern ? new RegExp(s.pattern).test(name) : s.name === name);

check('every required app setting is set by the template', (fail) => {
  for (const p of plans) {
    for (const s of settingsDoc.settings.filter((x) => x.required && appliesTo(x, p))) {
      if (!plan(p).appSettings.includes(s.name)) fail(`${p}: ${s.name} is required (infra/app-settings.json) but infra/modules/functions.bicep does not set it`);
    }
  }
});

check('every template app setting is listed in app-settings.json', (fail) => {
  for (const p of plans) {
    for (const name of plan(p).appSettings) {
      const entry = settingsDoc.settings.find((s) => matches(s, name));
      if (!entry) fail(`${p}: ${name} is set by the template but not listed in infra/app-settings.json`);
      else if (!appliesTo(entry, p)) fail(`${p}: ${name} is only allowed on ${entry.plans.join(', ')}`);
    }
  }
});

check('optional app settings are documented in docs/deploy.md', (fail) => {
  const doc = path.join(repoRoot, 'docs', 'deploy.md');
  if (!fs.existsSync(doc)) { fail('docs/deploy.md is missing'); return; }
  const text = fs.readFileSync(doc, 'utf8');
  for (const s of settingsDoc.settings.filter((x) => !x.required)) {
    if (!text.includes(s.name)) fail(`optional setting ${s.name} is not mentioned in docs/deploy.md`);
  }
});

check('secrets come from Key Vault, storage from identity', (fail) => {
  for (const p of plans) {
    const values = plan(p).appSettingValues;
    for (const s of settingsDoc.settings.filter((x) => x.secret)) {
      const v = values[s.name];
      if (v === undefined) continue; // reported by the required-settings check
      if (!v.includes('@Microsoft.KeyVault(SecretUri=')) fail(`${p}: ${s.name} is not a Key Vault reference: ${v}`);
    }
    for (const [k, v] of Object.entries(values)) {
      if (/AccountKey=|SharedAccessSignature=|sig=/i.test(v)) fail(`${p}: ${k} carries a storage key or SAS`);
    }
    for (const k of ['AzureWebJobsStorage', 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', 'EventStorage']) {
      if (k in values) fail(`${p}: ${k} is a connection-string setting; use the identity-based __ settings`);
    }
    if (values.EventStorage__credential !== 'managedidentity') fail(`${p}: EventStorage__credential must be managedidentity`);
    if (values.AzureWebJobsStorage__credential !== 'managedidentity') fail(`${p}: AzureWebJobsStorage__credential must be managedidentity`);
    if (values.Kafka__SecurityProtocol !== 'SaslSsl') fail(`${p}: Kafka__SecurityProtocol must be SaslSsl`);
  }
});

const byType = (p, type) => plan(p).resources.filter((r) => r.type === type);

check('storage, Key Vault, App Insights and site hardening', (fail) => {
  for (const p of plans) {
    const [account] = byType(p, 'Microsoft.Storage/storageAccounts');
    const sp = (account && account.properties) || {};
    if (sp.allowSharedKeyAccess !== false) fail(`${p}: storage allowSharedKeyAccess must be false`);
    if (sp.allowBlobPublicAccess !== false) fail(`${p}: storage allowBlobPublicAccess must be false`);
    if (sp.minimumTlsVersion !== 'TLS1_2') fail(`${p}: storage minimumTlsVersion must be TLS1_2`);
    if (sp.supportsHttpsTrafficOnly !== true) fail(`${p}: storage supportsHttpsTrafficOnly must be true`);
    const [vault] = byType(p, 'Microsoft.KeyVault/vaults');
    if (!vault || vault.properties.enableRbacAuthorization !== true) fail(`${p}: Key Vault must use RBAC authorization`);
    const [appi] = byType(p, 'Microsoft.Insights/components');
    if (!appi || appi.properties.DisableLocalAuth !== true) fail(`${p}: Application Insights local auth must be disabled`);
    if (!appi || !appi.properties.WorkspaceResourceId) fail(`${p}: Application Insights must be workspace-based`);
    const [site] = byType(p, 'Microsoft.Web/sites');
    if (!site) { fail(`${p}: no Function App`); continue; }
    if (site.properties.httpsOnly !== true) fail(`${p}: httpsOnly must be true`);
    if (!site.properties.keyVaultReferenceIdentity) fail(`${p}: keyVaultReferenceIdentity must name the user-assigned identity`);
    if (site.properties.siteConfig.minTlsVersion !== '1.2') fail(`${p}: siteConfig.minTlsVersion must be 1.2`);
    if (!String(site.kind).includes('linux')) fail(`${p}: the Function App must be Linux`);
  }
});

check('hosting plans: Flex Consumption FC1 and Elastic Premium EP1 with scale monitoring', (fail) => {
  const flex = plan('FlexConsumption');
  if (flex.planSku !== 'FC1') fail(`FlexConsumption plan SKU is ${flex.planSku}`);
  const rt = flex.functionAppConfigRuntime || {};
  if (rt.name !== 'dotnet-isolated' || rt.version !== '10.0') fail(`Flex runtime is ${JSON.stringify(rt)}; expected dotnet-isolated 10.0`);
  for (const banned of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'WEBSITE_CONTENTSHARE']) {
    if (flex.appSettings.includes(banned)) fail(`Flex Consumption must not set ${banned}`);
  }
  const ep = plan('ElasticPremium');
  if (ep.planSku !== 'EP1') fail(`ElasticPremium plan SKU is ${ep.planSku}`);
  if (!ep.functionsRuntimeScaleMonitoringEnabled) fail('ElasticPremium must set functionsRuntimeScaleMonitoringEnabled: true');
  if (ep.linuxFxVersion !== 'DOTNET-ISOLATED|10.0') fail(`ElasticPremium linuxFxVersion is ${ep.linuxFxVersion}`);
  if (ep.functionAppConfigRuntime) fail('ElasticPremium must not carry functionAppConfig');
});

check('the app identity has exactly its four data roles', (fail) => {
  const expected = {
    'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
    '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
    '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
    '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  };
  for (const p of plans) {
    const appRoles = byType(p, 'Microsoft.Authorization/roleAssignments')
      .filter((r) => r.condition === true)
      .map((r) => r.properties.roleDefinitionId.split('/').pop());
    const { missing, extra } = sameSet(appRoles, Object.keys(expected));
    for (const m of missing) fail(`${p}: missing role ${expected[m]} (${m})`);
    for (const e of extra) fail(`${p}: unexpected unconditional role assignment ${e}`);
  }
});

check('outputs carry names, never secrets', (fail) => {
  for (const o of report.outputs) {
    const expr = o.expression;
    for (const s of report.secureParams) if (new RegExp(`\\b${s}\\b`).test(expr)) fail(`output ${o.name} uses secure parameter ${s}`);
    if (/ConnectionString|listKeys|list[A-Z]\w*\(|primaryKey|secretValue|\.value\b/i.test(expr)) fail(`output ${o.name} looks like a secret: ${expr}`);
  }
  const names = report.outputs.map((o) => o.name);
  for (const needed of ['AZURE_FUNCTION_APP_NAME', 'AZURE_STORAGE_ACCOUNT_NAME', 'AZURE_KEY_VAULT_NAME', 'AZURE_RESOURCE_GROUP', 'KAFKA_PASSWORD_SECRET_NAME']) {
    if (!names.includes(needed)) fail(`missing output ${needed}`);
  }
});

check('every parameter has @description', (fail) => {
  for (const file of listFiles(infra, '.bicep')) {
    const t = loadTemplate(file);
    for (const p of t.params.values()) {
      if (!p.decorators.some((d) => /^@description\(/.test(d.text))) fail(`${rel(file)}: parameter ${p.name} has no @description`);
    }
  }
});

check('module calls match module parameters', (fail) => {
  for (const file of listFiles(infra, '.bicep')) {
    const t = loadTemplate(file);
    for (const m of t.modules) {
      const child = loadTemplate(path.resolve(t.dir, m.path));
      const obj = m.body.type === 'object' ? m.body : m.body.namedChildren.find((c) => c.type === 'object');
      const paramsProp = obj.namedChildren.find((c) => c.type === 'object_property' && c.namedChildren[0].text === 'params');
      const given = paramsProp ? paramsProp.namedChildren[1].namedChildren.filter((c) => c.type === 'object_property').map((c) => c.namedChildren[0].text) : [];
      for (const g of given) if (!child.params.has(g)) fail(`${rel(file)}: module ${m.symbol} passes '${g}', which ${m.path} does not declare`);
      for (const p of child.params.values()) if (!p.defaultNode && !given.includes(p.name)) fail(`${rel(file)}: module ${m.symbol} does not pass required '${p.name}'`);
    }
  }
});

check('parameter files match infra/main.bicep', (fail) => {
  const main = loadTemplate(path.join(infra, 'main.bicep'));
  const files = listFiles(path.join(infra, 'env'), '.parameters.json').concat([path.join(infra, 'main.parameters.json')]);
  const envNames = listFiles(path.join(infra, 'env'), '.parameters.json').map((f) => path.basename(f, '.parameters.json')).sort();
  if (JSON.stringify(envNames) !== JSON.stringify(['production', 'sandbox'])) fail(`expected infra/env/{sandbox,production}.parameters.json, found ${envNames.join(', ')}`);
  for (const file of files) {
    const params = readJson(file).parameters || {};
    for (const [name, entry] of Object.entries(params)) {
      const decl = main.params.get(name);
      if (!decl) { fail(`${rel(file)}: '${name}' is not a parameter of main.bicep`); continue; }
      if (decl.secure && typeof entry.value === 'string' && entry.value !== '' && !/^\$\{/.test(entry.value)) fail(`${rel(file)}: secure parameter '${name}' has a literal value; never commit secrets`);
      const allowed = decl.decorators.find((d) => /^@allowed\(/.test(d.text));
      if (allowed && !(typeof entry.value === 'string' && entry.value.includes('${'))) {
        const ev = new Evaluator(main);
        const list = ev.eval(allowed.namedChildren[0].childForFieldName('arguments').namedChildren[0], {});
        if (!list.includes(entry.value)) fail(`${rel(file)}: '${name}' = ${JSON.stringify(entry.value)} is not one of ${JSON.stringify(list)}`);
      }
    }
    for (const decl of main.params.values()) {
      if (!decl.defaultNode && !(decl.name in params)) fail(`${rel(file)}: required parameter '${decl.name}' is missing`);
    }
    if (file.includes(`${path.sep}env${path.sep}`)) {
      const env = path.basename(file, '.parameters.json');
      if ((params.providerEnvironment || {}).value !== env) fail(`${rel(file)}: providerEnvironment must be '${env}'`);
    }
  }
});

check('azure.yaml points at infra/main.bicep', (fail) => {
  const YAML = require(require.resolve('yaml', { paths: [repoRoot] }));
  const file = path.join(repoRoot, 'azure.yaml');
  if (!fs.existsSync(file)) { fail('azure.yaml is missing'); return; }
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  const infraPath = (doc.infra && doc.infra.path) || 'infra';
  const module = (doc.infra && doc.infra.module) || 'main';
  if (!fs.existsSync(path.join(repoRoot, infraPath, `${module}.bicep`))) fail(`azure.yaml infra ${infraPath}/${module}.bicep does not exist`);
  if (!fs.existsSync(path.join(repoRoot, infraPath, `${module}.parameters.json`))) fail(`azure.yaml infra ${infraPath}/${module}.parameters.json does not exist`);
  const svc = doc.services && doc.services.functions;
  if (!svc || svc.host !== 'function' || svc.language !== 'dotnet') fail('azure.yaml must declare service "functions" (host: function, language: dotnet)');
});

printResults(results);
