/** A local SMTP server for browser tests: accepts every message and keeps it, so a test can follow the
 * link an email carries. Plain SMTP, no TLS and no authentication (SMTP_URL=smtp://127.0.0.1:port). */
import { createServer, type Server, type Socket } from 'node:net'

export interface Mailbox {
  url: string
  messages: { to: string[]; data: string }[]
  close(): Promise<void>
}

export async function startSmtp(): Promise<Mailbox> {
  const messages: Mailbox['messages'] = []
  const server: Server = createServer((socket: Socket) => {
    let to: string[] = []
    let data: string | null = null
    let buffer = ''
    socket.write('220 localhost ESMTP test\r\n')
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      for (;;) {
        if (data !== null) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end < 0) return
          data += buffer.slice(0, end)
          buffer = buffer.slice(end + 5)
          messages.push({ to, data: data.replace(/^\.\./gm, '.') })
          data = null
          to = []
          socket.write('250 OK queued\r\n')
          continue
        }
        const line = buffer.indexOf('\r\n')
        if (line < 0) return
        const command = buffer.slice(0, line)
        buffer = buffer.slice(line + 2)
        const verb = command.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 localhost\r\n')
        else if (verb === 'RCPT') {
          to.push(command.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1'))
          socket.write('250 OK\r\n')
        } else if (verb === 'DATA') {
          data = ''
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n')
        } else if (verb === 'QUIT') {
          socket.end('221 Bye\r\n')
        } else socket.write('250 OK\r\n') // MAIL, RSET, NOOP
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** Undoes quoted-printable soft breaks and escapes, so a link in the body reads whole. */
export function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
}
