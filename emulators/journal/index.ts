/** The emulators' record of accepted messages and answered requests. */
export { Journal, type Entry, type AnsweredRequest } from './journal.ts';
