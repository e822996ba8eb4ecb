// One happy-dom window serves every test of a file: what a script run adds to it is undone after the test.
import { vi } from 'vitest'

type Remove = (type: string, listener: EventListenerOrEventListenerObject, options?: unknown) => void
const added: [Remove, string, EventListenerOrEventListenerObject][] = []
// The prototype that really holds addEventListener (happy-dom's global EventTarget is a subclass of it).
let owner = Object.getPrototypeOf(document)
while (!Object.prototype.hasOwnProperty.call(owner, 'addEventListener')) owner = Object.getPrototypeOf(owner)
const originalAdd = owner.addEventListener as EventTarget['addEventListener']
const globalAdd = globalThis.addEventListener
const globalRemove = globalThis.removeEventListener as Remove
const { pushState, replaceState } = History.prototype

/** Records every listener added from now on (on any target, and through the global function). */
export function trackListeners(): void {
  vi.spyOn(owner as EventTarget, 'addEventListener').mockImplementation(function (
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ) {
    if (listener) added.push([(t, l) => this.removeEventListener(t, l, options), type, listener])
    originalAdd.call(this, type, listener, options)
  })
  vi.stubGlobal('addEventListener', (type: string, listener: EventListener, options?: AddEventListenerOptions) => {
    added.push([(t, l) => globalRemove(t, l, options), type, listener])
    globalAdd(type, listener, options)
  })
}

/** Removes the recorded listeners and the scripts' history patches. */
export function undoListeners(): void {
  for (const [remove, type, listener] of added.splice(0)) remove(type, listener)
  history.pushState = pushState
  history.replaceState = replaceState
}

/** Moves the test page to another address without loading anything. */
export function setURL(url: string): void {
  ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url)
}
