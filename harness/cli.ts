// topo-shapr command line: one sub-command per module in harness/commands/, each exporting register().
// Errors reach the user as one line naming the file and the problem (exit.ts), never a stack trace.
import { Command } from 'commander';
import * as persistenceCmd from './commands/persistence.ts';
import * as generateCmd from './commands/generate.ts';
import * as inspectCmd from './commands/inspect.ts';
import * as evaluateCmd from './commands/evaluate.ts';
import * as modelCmd from './commands/model.ts';
import * as trainCmd from './commands/train.ts';
import * as compareCmd from './commands/compare.ts';
import * as analyseInterpolationCmd from './commands/analyse_interpolation.ts';
import * as predictCmd from './commands/predict.ts';
import * as distanceCmd from './commands/distance.ts';
import * as resampleCmd from './commands/resample.ts';
import { exitOnError, exitWhenFlushed } from './exit.ts';
import { toolVersion } from './version.ts';

const program = new Command('topo-shapr')
  .description('3D cell-shape reconstruction from 2D microscopy with a topological loss (WGSL on WebGPU)')
  // NOTE: asked for only with --version (it runs git), not by every command
  .option('-V, --version', 'output the version number')
  .on('option:version', () => {
    // NOTE: exits now: commander would go on and print the help for the missing command (exit 1)
    process.stdout.write(`${toolVersion()}\n`);
    process.exit(0);
  })
  .showHelpAfterError();

const commands: Array<{ register(p: Command): void }> = [persistenceCmd, generateCmd, resampleCmd, inspectCmd, evaluateCmd, modelCmd, trainCmd, predictCmd, compareCmd, analyseInterpolationCmd, distanceCmd];
for (const c of commands) c.register(program);

try {
  await program.parseAsync(process.argv);
  exitWhenFlushed(Number(process.exitCode ?? 0));
} catch (err) {
  exitOnError(err);
}
