import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { contextSettings } from '../src/context-settings.ts';
import { imagesFromDockerfiles } from '../src/images.ts';
import { MediaServerStack } from '../src/media-server-stack.ts';

// `cdk synth` / `cdk deploy` run this (see cdk.json). Settings come from context (`-c key=value` or cdk.json).
const app = new App();
new MediaServerStack(app, 'MediaServer', {
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  },
  settings: contextSettings(app.node),
  images: imagesFromDockerfiles(),
});
// cdk-nag's AwsSolutions rules: a finding fails the synth unless the stack acknowledges it with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
