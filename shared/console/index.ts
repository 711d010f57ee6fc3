export { ADMIN_ROLE, checkAccess, CONSOLE_BASE, isLoopbackRequest, READER_ROLE, type Access, type Operator } from './access';
export { consoleDependencies, getConsoleAppDependencies, type ConsoleAppDependencies, type ConsoleDeps } from './consoleDependencies';
export { searchSubscriptions, type SubscriptionResults } from './searchSubscriptions';
export { consoleSegments, serveConsole, type ConsoleRequest } from './serveConsole';
