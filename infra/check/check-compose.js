#!/usr/bin/env node
'use strict';
// Checks docker-compose.yml without Docker: it parses as YAML, has the services the local setup
// needs, every file it mounts exists, every certificate file the broker configuration reads is one
// that infra/local/generate-certs.sh writes, images are pinned, and the broker is configured for
// KRaft with SASL_SSL and SCRAM-SHA-512 only.
//
//   node infra/check/check-compose.js [--json]
const fs = require('fs');
const path = require('path');
const { repoRoot, requireDev, printResults } = require('./lib');

const YAML = requireDev('yaml');
const composeFile = path.join(repoRoot, 'docker-compose.yml');
const results = [];
function check(name, fn) {
  const problems = [];
  try { fn((m) => problems.push(m)); } catch (err) { problems.push(err.stack || String(err)); }
  results.push({ name, passed: problems.length === 0, problems });
}

let compose;
check('docker-compose.yml parses as YAML', (fail) => {
  const doc = YAML.parseDocument(fs.readFileSync(composeFile, 'utf8'), { merge: true });
  for (const e of doc.errors) fail(e.message);
  for (const w of doc.warnings) fail(`warning: ${w.message}`);
  compose = doc.toJS({ maxAliasCount: 100 });
  if (!compose || typeof compose.services !== 'object') fail('no services section');
});
const services = (compose && compose.services) || {};

check('services kafka, kafka-init and azurite exist', (fail) => {
  for (const s of ['kafka', 'kafka-init', 'azurite']) if (!services[s]) fail(`service '${s}' is missing`);
});

check('images are pinned to a version', (fail) => {
  for (const [name, svc] of Object.entries(services)) {
    if (!svc.image) { fail(`${name} has no image`); continue; }
    const tag = svc.image.includes(':') ? svc.image.split(':').pop() : '';
    if (!/^\d+\.\d+\.\d+/.test(tag)) fail(`${name} image '${svc.image}' is not pinned to an x.y.z tag`);
  }
});

const bindMounts = [];
for (const [name, svc] of Object.entries(services)) {
  for (const v of svc.volumes || []) {
    const spec = typeof v === 'string' ? v : `${v.source}:${v.target}`;
    const [source, target, mode] = spec.split(':');
    if (source.startsWith('.') || source.startsWith('/')) bindMounts.push({ service: name, source, target, mode: mode || 'rw', hostPath: path.resolve(repoRoot, source) });
  }
}

check('every mounted file or directory exists', (fail) => {
  if (bindMounts.length === 0) fail('no bind mounts found; expected scripts and certificates');
  for (const m of bindMounts) if (!fs.existsSync(m.hostPath)) fail(`${m.service}: ${m.source} does not exist`);
});

// Map a container path back to the host file it comes from, through the bind mounts.
function hostPathFor(service, containerPath) {
  for (const m of bindMounts.filter((b) => b.service === service)) {
    if (containerPath === m.target) return { mount: m, file: m.hostPath };
    if (containerPath.startsWith(`${m.target}/`)) return { mount: m, file: path.join(m.hostPath, containerPath.slice(m.target.length + 1)) };
  }
  return null;
}

check('entrypoints are mounted scripts that exist', (fail) => {
  for (const [name, svc] of Object.entries(services)) {
    const ep = svc.entrypoint;
    if (!ep) continue;
    const argv = Array.isArray(ep) ? ep : String(ep).split(/\s+/);
    for (const arg of argv.filter((a) => a.startsWith('/opt/eventrouter/'))) {
      const host = hostPathFor(name, arg);
      if (!host) fail(`${name}: ${arg} is not inside a bind mount`);
      else if (!fs.existsSync(host.file)) fail(`${name}: ${arg} maps to ${path.relative(repoRoot, host.file)}, which does not exist`);
    }
  }
});

const generator = path.join(repoRoot, 'infra', 'local', 'generate-certs.sh');
check('certificate files the broker reads are written by generate-certs.sh', (fail) => {
  if (!fs.existsSync(generator)) { fail('infra/local/generate-certs.sh is missing'); return; }
  const copyLine = /for f in ([^;]+); do\s*\n\s*cp /.exec(fs.readFileSync(generator, 'utf8'));
  if (!copyLine) { fail('cannot find the output file list in generate-certs.sh'); return; }
  const produced = copyLine[1].trim().split(/\s+/);
  const sources = ['server.properties', 'start-kafka.sh', 'create-topics.sh'].map((f) => path.join(repoRoot, 'infra', 'local', 'kafka', f));
  let refs = 0;
  for (const file of sources) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\/opt\/eventrouter\/certs|\$certs|\$\{certs\})\/([A-Za-z0-9._-]+)/g)) {
      refs++;
      if (!produced.includes(m[1])) fail(`${path.relative(repoRoot, file)} reads ${m[1]}, which generate-certs.sh does not write`);
    }
  }
  if (refs === 0) fail('no certificate references found in the broker configuration');
  const certMounts = bindMounts.filter((b) => b.target === '/opt/eventrouter/certs');
  if (certMounts.length === 0) fail('no service mounts the certificates at /opt/eventrouter/certs');
  for (const b of certMounts) {
    if (path.resolve(b.hostPath) !== path.join(repoRoot, 'infra', 'local', 'certs')) fail(`${b.service} mounts certificates from ${b.source}, not the generator's default infra/local/certs`);
    if (b.mode !== 'ro') fail(`${b.service} must mount certificates read-only`);
  }
});

check('broker: KRaft, SASL_SSL listeners, SCRAM-SHA-512', (fail) => {
  const props = Object.fromEntries(fs.readFileSync(path.join(repoRoot, 'infra', 'local', 'kafka', 'server.properties'), 'utf8')
    .split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]));
  if (!/controller/.test(props['process.roles'] || '')) fail('process.roles must include controller (KRaft)');
  if ('zookeeper.connect' in props) fail('zookeeper.connect must not be set');
  const map = Object.fromEntries((props['listener.security.protocol.map'] || '').split(',').map((p) => p.split(':')));
  const listeners = (props.listeners || '').split(',').map((l) => l.split(':')[0]);
  const controller = props['controller.listener.names'];
  for (const l of listeners) {
    if (l === controller) continue;
    if (map[l] !== 'SASL_SSL') fail(`listener ${l} is ${map[l]}, expected SASL_SSL`);
  }
  if (props['sasl.enabled.mechanisms'] !== 'SCRAM-SHA-512') fail('sasl.enabled.mechanisms must be SCRAM-SHA-512');
  if (!/localhost:9094/.test(props['advertised.listeners'] || '')) fail('advertised.listeners must offer localhost:9094 to host clients');
  const ports = (services.kafka && services.kafka.ports) || [];
  if (!ports.some((p) => String(p).includes('9094:9094'))) fail('kafka must publish port 9094');
  const start = fs.readFileSync(path.join(repoRoot, 'infra', 'local', 'kafka', 'start-kafka.sh'), 'utf8');
  if (!/--add-scram "SCRAM-SHA-512=\[name=\$\{KAFKA_ADMIN_USERNAME\}/.test(start) || !/--add-scram "SCRAM-SHA-512=\[name=\$\{KAFKA_APP_USERNAME\}/.test(start)) {
    fail('start-kafka.sh must create the admin and application SCRAM-SHA-512 users when formatting');
  }
});

check('kafka-init creates Notifications and Prices after the broker is healthy', (fail) => {
  const init = services['kafka-init'] || {};
  const dep = init.depends_on && init.depends_on.kafka;
  if (!dep || dep.condition !== 'service_healthy') fail('kafka-init must depend on kafka with condition service_healthy');
  if (!services.kafka || !services.kafka.healthcheck) fail('kafka needs a healthcheck for service_healthy');
  if (init.restart && init.restart !== 'no') fail('kafka-init must be one-shot (restart: "no")');
  const script = fs.readFileSync(path.join(repoRoot, 'infra', 'local', 'kafka', 'create-topics.sh'), 'utf8');
  const topics = /topics=\(([^)]*)\)/.exec(script);
  const names = topics ? topics[1].trim().split(/\s+/) : [];
  for (const t of ['Notifications', 'Prices']) if (!names.includes(t)) fail(`create-topics.sh does not create ${t}`);
});

check('broker and init get the SCRAM users from the environment', (fail) => {
  for (const s of ['kafka', 'kafka-init']) {
    const env = (services[s] || {}).environment || {};
    for (const k of ['KAFKA_ADMIN_USERNAME', 'KAFKA_ADMIN_PASSWORD', 'KAFKA_APP_USERNAME', 'KAFKA_APP_PASSWORD']) {
      if (!env[k]) fail(`${s} has no ${k} in its environment`);
    }
  }
});

check('infra/local/eventrouter.local.json matches the compose broker', (fail) => {
  const file = path.join(repoRoot, 'infra', 'local', 'eventrouter.local.json');
  if (!fs.existsSync(file)) { fail('infra/local/eventrouter.local.json is missing'); return; }
  const local = JSON.parse(fs.readFileSync(file, 'utf8'));
  const kafka = local.Kafka || {};
  const env = (services.kafka || {}).environment || {};
  const composeDefault = (v) => { const m = /^\$\{[A-Z_]+:-(.*)\}$/.exec(String(v)); return m ? m[1] : String(v); };
  if (kafka.BootstrapServers !== 'localhost:9094') fail(`Kafka.BootstrapServers is ${kafka.BootstrapServers}, expected localhost:9094`);
  if (kafka.SecurityProtocol !== 'SaslSsl') fail('Kafka.SecurityProtocol must be SaslSsl');
  if (kafka.SaslMechanism !== 'ScramSha512') fail('Kafka.SaslMechanism must be ScramSha512');
  if (kafka.Username !== composeDefault(env.KAFKA_APP_USERNAME)) fail(`Kafka.Username ${kafka.Username} is not the compose default ${composeDefault(env.KAFKA_APP_USERNAME)}`);
  if (kafka.Password !== composeDefault(env.KAFKA_APP_PASSWORD)) fail('Kafka.Password is not the compose default application password');
  const topics = kafka.Topics || {};
  if (topics.Notifications !== 'Notifications' || topics.Prices !== 'Prices') fail('Kafka.Topics must name Notifications and Prices');
  const ca = (kafka.Consumer || {})['ssl.ca.location'];
  if (ca !== 'infra/local/certs/ca.crt') fail(`Kafka.Consumer.ssl.ca.location is ${ca}, expected infra/local/certs/ca.crt (generate-certs.sh's default output)`);
  if (local.EventStorage !== 'UseDevelopmentStorage=true') fail('EventStorage must be UseDevelopmentStorage=true (Azurite)');
});

check('depends_on names existing services', (fail) => {
  for (const [name, svc] of Object.entries(services)) {
    const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on || {});
    for (const d of deps) if (!services[d]) fail(`${name} depends on unknown service ${d}`);
  }
});

check('azurite publishes blob, queue and table ports', (fail) => {
  const ports = ((services.azurite || {}).ports || []).map(String);
  for (const p of ['10000', '10001', '10002']) if (!ports.some((x) => x.startsWith(`${p}:`))) fail(`azurite does not publish ${p}`);
});

check('sample producer script exists and is executable', (fail) => {
  const f = path.join(repoRoot, 'infra', 'local', 'produce-sample-events.sh');
  if (!fs.existsSync(f)) { fail('infra/local/produce-sample-events.sh is missing'); return; }
  if ((fs.statSync(f).mode & 0o111) === 0) fail('infra/local/produce-sample-events.sh is not executable');
  const text = fs.readFileSync(f, 'utf8');
  for (const needle of ['security.protocol=SASL_SSL', 'sasl.mechanisms=', 'ssl.ca.location=', 'SCRAM-SHA-512']) {
    if (!text.includes(needle)) fail(`produce-sample-events.sh does not set ${needle}`);
  }
});

printResults(results);
