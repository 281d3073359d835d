/**
 * Long work on the main thread, cut in turns: call `turn()` after each small step, and once `budgetMs`
 * have gone by since the last turn the event loop runs (timers, sockets, other requests) before the
 * next step. No single turn then holds the live tables up for much longer than the budget.
 */
export class LoopBudget {
  private since = performance.now()

  constructor(private budgetMs = 20) {}

  async turn(): Promise<void> {
    if (performance.now() - this.since >= this.budgetMs) await this.yield()
  }

  /** Lets the event loop turn now, whatever the budget. */
  async yield(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    this.since = performance.now()
  }
}
