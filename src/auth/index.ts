export { createAskpass, passphraseAskpass, type Askpass, type AskpassOptions, type AskpassRequest } from './askpass.js';
