// The Workloads list's view of the `cluster` topic: text filter, namespace choice, and system
// namespaces (kube-system and friends) hidden until asked for. A system workload in trouble is never
// hidden: trouble comes first wherever it lives.
import type { ClusterState, WorkloadSummary } from '@protocol';
import { countOf } from '../../lib/format.ts';
import { isSystemNamespace, matchesFilter } from './workload-format.ts';

export class WorkloadListManager {
  readonly #source: () => ClusterState | null;
  #filter = $state('');
  #namespace = $state('');
  #showSystem = $state(false);

  #all = $derived.by((): WorkloadSummary[] => this.#source()?.workloads ?? []);
  #visible = $derived.by(() => this.#all.filter((w) => this.#showSystem || !isSystemNamespace(w.namespace) || w.severity === 'trouble'));
  #shown = $derived.by(() => this.#visible.filter((w) => matchesFilter(w, this.#filter, this.#namespace)));

  constructor(source: () => ClusterState | null) {
    this.#source = source;
  }

  get filter(): string {
    return this.#filter;
  }
  set filter(text: string) {
    this.#filter = text;
  }
  get namespace(): string {
    return this.#namespace;
  }
  set namespace(name: string) {
    this.#namespace = name;
  }
  get showSystem(): boolean {
    return this.#showSystem;
  }
  set showSystem(show: boolean) {
    this.#showSystem = show;
    if (!show && isSystemNamespace(this.#namespace)) this.#namespace = '';
  }

  /** The namespaces the selector offers. */
  get namespaces(): string[] {
    return (this.#source()?.namespaces ?? []).filter((ns) => this.#showSystem || !isSystemNamespace(ns));
  }
  /** How many namespaces the selector leaves out while system namespaces are hidden. */
  get hiddenNamespaces(): number {
    return this.#showSystem ? 0 : (this.#source()?.namespaces ?? []).filter(isSystemNamespace).length;
  }
  get shown(): WorkloadSummary[] {
    return this.#shown;
  }
  get total(): number {
    return this.#all.length;
  }
  get trouble(): number {
    return this.#all.filter((w) => w.severity === 'trouble').length;
  }
  /** System workloads left out of the list (none in trouble: those always show). */
  get hiddenSystem(): number {
    return this.#all.length - this.#visible.length;
  }

  /** One line for the toolbar: "2 in trouble · 9 workloads, 3 in system namespaces hidden". */
  get summary(): string {
    const hidden = this.hiddenSystem > 0 ? `, ${this.hiddenSystem} in system namespaces hidden` : '';
    return `${this.trouble} in trouble · ${countOf(this.total, 'workload')}${hidden}`;
  }
}
