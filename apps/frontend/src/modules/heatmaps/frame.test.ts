import { describe, expect, it } from 'vitest'
import { deviceForWidth, frameAddress } from './frame'

describe('frameAddress', () => {
  it('puts the token and the dashboard origin in the fragment, replacing the page own', () => {
    expect(frameAddress('https://shop.example/pricing?plan=pro#faq', 'fmh_ab_1_x-Y', 'https://fm.example', false)).toBe(
      'https://shop.example/pricing?plan=pro#fmh_ab_1_x-Y&api=https%3A%2F%2Ffm.example',
    )
    expect(frameAddress('http://shop.test:8080/', 'fmh_ab_1_x', 'http://127.0.0.1:8000', true)).toBe(
      'http://shop.test:8080/#fmh_ab_1_x&api=http%3A%2F%2F127.0.0.1%3A8000&frame=http%3A%2F%2F127.0.0.1%3A8000',
    )
  })
})

describe('deviceForWidth', () => {
  it('follows the tracker classes', () => {
    expect([390, 599, 600, 820, 1023, 1024, 1440].map(deviceForWidth)).toEqual(['Mobile', 'Mobile', 'Tablet', 'Tablet', 'Tablet', 'Desktop', 'Desktop'])
  })
})
