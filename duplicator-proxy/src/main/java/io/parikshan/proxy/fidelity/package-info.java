/**
 * Fidelity: how faithfully a clone follows production, measured by comparing the clone's answers
 * with production's for the same client bytes.
 *
 * <ul>
 *   <li>{@link io.parikshan.proxy.fidelity.FidelityConfig}: mode (off, tcp, http, auto), the
 *   {@link io.parikshan.proxy.fidelity.NoiseRules} (ignored headers, JSON paths, body regexes),
 *   the divergence log size and two-clone noise; {@code parse(...)} builds it from user text.</li>
 *   <li>{@link io.parikshan.proxy.fidelity.HttpStreamParser}: incremental HTTP/1.x parsing of one
 *   direction (split reads, pipelining, chunked and Content-Length bodies, HEAD, 1xx, upgrades).</li>
 *   <li>{@link io.parikshan.proxy.fidelity.AnswerParts} and {@link io.parikshan.proxy.fidelity.ExchangeJudge}:
 *   answers cut into parts after the rules, and the verdict per clone (equal, divergent, or noise
 *   where the clones disagree with each other, the idea of Twitter's Diffy). Midas' distinction
 *   applies: rules and two-clone noise absorb superficial nondeterminism (time stamps, ids) so
 *   that what is left points at actual divergence of the clone's state or code.</li>
 *   <li>{@link io.parikshan.proxy.fidelity.AnswerComparison}: one connection's comparison, for one
 *   protocol. {@link io.parikshan.proxy.fidelity.TcpStreamComparison} compares each clone's answer
 *   stream byte for byte with production's (one exchange per connection);
 *   {@link io.parikshan.proxy.fidelity.HttpExchangeComparison} pairs parsed requests and answers
 *   in order and judges them exchange by exchange. {@link io.parikshan.proxy.fidelity.ProtocolSniffer}
 *   decides between them for mode auto; {@link io.parikshan.proxy.fidelity.ComparedClones} is the
 *   state both share per clone (its ledger, whether it is still compared).</li>
 *   <li>{@link io.parikshan.proxy.fidelity.CandidateTrial}: a patch on trial, Diffy's three-way
 *   judgement with production as the primary, an unpatched control clone as the secondary and the
 *   patched candidate ({@link io.parikshan.proxy.fidelity.ThreeWayJudge}), counted by
 *   {@link io.parikshan.proxy.fidelity.EndpointTemplate} with the first
 *   {@link io.parikshan.proxy.fidelity.CandidateChange}s; {@link io.parikshan.proxy.fidelity.CandidateChanges}
 *   is its immutable view. HTTP comparisons feed it when their connection was fed both clones of one pair.</li>
 *   <li>{@link io.parikshan.proxy.fidelity.FidelityLedger}: per clone, thread-safe counts and the
 *   first divergent exchanges; {@link io.parikshan.proxy.fidelity.FidelitySnapshot} and
 *   {@link io.parikshan.proxy.fidelity.CloneFidelity} are the immutable views
 *   {@code Duplicator#fidelity()} returns.</li>
 * </ul>
 *
 * Nothing here touches sockets, event loops or budgets: bytes come in as {@code ByteBuf}s and
 * verdicts go to the ledgers. {@code io.parikshan.proxy.tcp.ConnectionComparison} feeds the
 * comparisons from the connection's handlers and charges what they hold to the clone budgets.
 */
package io.parikshan.proxy.fidelity;
