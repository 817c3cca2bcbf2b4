// Take screenshots of the stories touched by the last edit and diff them with baseline/.
import { execFileSync } from 'node:child_process';
execFileSync('npx', ['playwright', 'test', '--grep', '@visual'], { stdio: 'inherit' });
