/**
 * Entry point. zod's configuration must be in place before any schema is built (they are built when
 * their modules load), so the app is loaded only after it: a static import would be evaluated first.
 */
import './zodConfig'

void import('./start').then(({ start }) => start())
