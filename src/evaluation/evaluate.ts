import { runEvaluationCli } from './evaluation-cli.js';

runEvaluationCli(process.argv.slice(2));
