/** The `offcode` process: runs `main` on the real process streams and sets the exit code. */
import { main } from './main.js';

// Let stdout drain (pipes) before exiting with the code: set the code, do not call process.exit.
process.exitCode = await main(process.argv.slice(2));
