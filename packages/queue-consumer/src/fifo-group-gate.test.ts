import { expect, test } from 'vitest';
import { FifoGroupGate } from './fifo-group-gate.ts';

test('one item per group at a time, in sequence order, other groups not blocked', () => {
  // Prepare
  const gate = new FifoGroupGate<string>();
  const started: string[] = [];
  const start = (item: string) => started.push(item);
  // Act
  gate.enter('a', '10', 'a1', start);
  gate.enter('a', '30', 'a3', start);
  gate.enter('a', '20', 'a2', start);
  gate.enter('b', '15', 'b1', start);
  // Assess
  expect(started).toEqual(['a1', 'b1']);
  expect(gate.waiting).toBe(2);
  gate.leave('a');
  expect(started).toEqual(['a1', 'b1', 'a2']);
  gate.leave('a');
  gate.leave('a');
  gate.leave('b');
  expect(started).toEqual(['a1', 'b1', 'a2', 'a3']);
  expect(gate.activeGroups).toBe(0);
});

test('takeWaiting empties one group, takeAllWaiting every group', () => {
  const gate = new FifoGroupGate<string>();
  const noop = () => {};
  gate.enter('a', '1', 'a1', noop);
  gate.enter('a', '2', 'a2', noop);
  gate.enter('b', '3', 'b1', noop);
  gate.enter('b', '4', 'b2', noop);
  expect(gate.takeWaiting('a')).toEqual(['a2']);
  expect(gate.takeAllWaiting()).toEqual(['b2']);
  expect(gate.waiting).toBe(0);
});

test('sequence numbers beyond 2^53 compare exactly', () => {
  const gate = new FifoGroupGate<string>();
  const started: string[] = [];
  gate.enter('g', '18889999999999999990', 'first', (i) => started.push(i));
  gate.enter('g', '18889999999999999999', 'third', (i) => started.push(i));
  gate.enter('g', '18889999999999999998', 'second', (i) => started.push(i));
  gate.leave('g');
  gate.leave('g');
  expect(started).toEqual(['first', 'second', 'third']);
});
