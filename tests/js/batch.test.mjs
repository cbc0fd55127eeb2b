// The AWS SDK for JavaScript v3 (@aws-sdk/client-batch) against a real barge server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchClient, CreateComputeEnvironmentCommand, DescribeComputeEnvironmentsCommand,
  UpdateComputeEnvironmentCommand, DeleteComputeEnvironmentCommand, CreateJobQueueCommand,
  DescribeJobQueuesCommand, UpdateJobQueueCommand, DeleteJobQueueCommand,
  RegisterJobDefinitionCommand, DescribeJobDefinitionsCommand, DeregisterJobDefinitionCommand,
  CreateSchedulingPolicyCommand, DescribeSchedulingPoliciesCommand, ListSchedulingPoliciesCommand,
  UpdateSchedulingPolicyCommand, DeleteSchedulingPolicyCommand, TagResourceCommand,
  UntagResourceCommand, ListTagsForResourceCommand, paginateDescribeJobDefinitions,
} from '@aws-sdk/client-batch';

const bargeBin = process.env.BARGE_BIN ?? 'barge';
let server;
let dataDir;
let client;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'barge-js-'));
  server = spawn(bargeBin, ['server', '--listen', '127.0.0.1:0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = seen.match(/barge server listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`barge server exited with ${code}`)));
  });
  client = new BatchClient({
    endpoint: url, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

after(() => {
  server?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

test('compute environment, queue, job definition, policy and tags round trip', async () => {
  const ce = await client.send(new CreateComputeEnvironmentCommand({
    computeEnvironmentName: 'js-ce', type: 'UNMANAGED', state: 'ENABLED', tags: { a: '1' },
  }));
  assert.equal(ce.computeEnvironmentArn,
    'arn:aws:batch:us-east-1:000000000000:compute-environment/js-ce');
  const { computeEnvironments } = await client.send(
    new DescribeComputeEnvironmentsCommand({ computeEnvironments: ['js-ce'] }));
  assert.equal(computeEnvironments[0].status, 'VALID');
  assert.equal(computeEnvironments[0].type, 'UNMANAGED');

  const pol = await client.send(new CreateSchedulingPolicyCommand({
    name: 'js-pol',
    fairsharePolicy: { shareDecaySeconds: 100, shareDistribution: [{ shareIdentifier: 'x', weightFactor: 2.5 }] },
  }));
  const [desc] = (await client.send(new DescribeSchedulingPoliciesCommand({ arns: [pol.arn] })))
    .schedulingPolicies;
  assert.equal(desc.fairsharePolicy.shareDistribution[0].weightFactor, 2.5);
  const listed = await client.send(new ListSchedulingPoliciesCommand({}));
  assert.ok(listed.schedulingPolicies.some((p) => p.arn === pol.arn));
  await client.send(new UpdateSchedulingPolicyCommand({ arn: pol.arn, fairsharePolicy: { shareDecaySeconds: 200 } }));

  const q = await client.send(new CreateJobQueueCommand({
    jobQueueName: 'js-q', priority: 1, schedulingPolicyArn: pol.arn,
    computeEnvironmentOrder: [{ order: 1, computeEnvironment: ce.computeEnvironmentArn }],
    jobStateTimeLimitActions: [{ reason: 'stuck', state: 'RUNNABLE', maxTimeSeconds: 600, action: 'CANCEL' }],
  }));
  await client.send(new UpdateJobQueueCommand({ jobQueue: q.jobQueueArn, priority: 9 }));
  const { jobQueues } = await client.send(new DescribeJobQueuesCommand({ jobQueues: ['js-q'] }));
  assert.equal(jobQueues[0].priority, 9);
  assert.equal(jobQueues[0].jobStateTimeLimitActions[0].maxTimeSeconds, 600);
  assert.equal(jobQueues[0].computeEnvironmentOrder[0].computeEnvironment, ce.computeEnvironmentArn);

  for (let i = 0; i < 5; i++) {
    await client.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: 'js-jd', type: 'container',
      containerProperties: { image: 'busybox', command: ['echo', `${i}`] },
    }));
  }
  const revisions = [];
  for await (const page of paginateDescribeJobDefinitions({ client, pageSize: 2 },
    { jobDefinitionName: 'js-jd' })) {
    revisions.push(...page.jobDefinitions.map((d) => d.revision));
  }
  assert.deepEqual(revisions.sort((a, b) => a - b), [1, 2, 3, 4, 5]);
  await client.send(new DeregisterJobDefinitionCommand({ jobDefinition: 'js-jd:5' }));
  const inactive = await client.send(new DescribeJobDefinitionsCommand({
    jobDefinitionName: 'js-jd', status: 'INACTIVE' }));
  assert.deepEqual(inactive.jobDefinitions.map((d) => d.revision), [5]);

  await client.send(new TagResourceCommand({ resourceArn: q.jobQueueArn, tags: { b: '2', c: '3' } }));
  await client.send(new UntagResourceCommand({ resourceArn: q.jobQueueArn, tagKeys: ['c'] }));
  const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: q.jobQueueArn }));
  assert.deepEqual(tags.tags, { b: '2' });

  await client.send(new UpdateJobQueueCommand({ jobQueue: 'js-q', state: 'DISABLED' }));
  await client.send(new DeleteJobQueueCommand({ jobQueue: 'js-q' }));
  await client.send(new DeleteSchedulingPolicyCommand({ arn: pol.arn }));
  await client.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: 'js-ce', state: 'DISABLED' }));
  await client.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: 'js-ce' }));
});

test('client errors surface as ClientException with a message', async () => {
  await assert.rejects(
    client.send(new CreateJobQueueCommand({
      jobQueueName: 'js-bad', priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: 'missing-ce' }],
    })),
    (err) => {
      assert.equal(err.name, 'ClientException');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.match(err.message, /missing-ce/);
      return true;
    });
  const { jobQueues } = await client.send(new DescribeJobQueuesCommand({ jobQueues: ['js-bad'] }));
  assert.deepEqual(jobQueues, []);
});
