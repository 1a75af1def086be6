package io.parikshan.proxy.fidelity;

import java.util.List;

/**
 * What a patch changed, at one moment: the counts by endpoint and the first changed exchanges in
 * full. Immutable.
 *
 * @param candidate      the candidate clone judged now (empty before the pair runs)
 * @param control        its control
 * @param pair           1 for the first pair, one more for each re-sync's fresh pair
 * @param judging        whether connections opened now are judged against this pair (false until both
 *                       of its clones have caught up with what was held for them)
 * @param endpoints      one line per endpoint seen, in the order first seen
 * @param changes        the first changed exchanges, in order
 */
public record CandidateChanges(String candidate, String control, long pair, boolean judging, List<Endpoint> endpoints,
                               List<CandidateChange> changes) {

    /**
     * One endpoint's three-way counts.
     *
     * @param compared       exchanges both clones answered and that were judged
     * @param changed        exchanges the patch changed (candidate differs where the control agrees with production)
     * @param noise          exchanges where both clones differ from production
     * @param controlDiffers exchanges where only the control differs (a sound pair shows none)
     */
    public record Endpoint(String endpoint, long compared, long changed, long noise, long controlDiffers) {
    }

    public CandidateChanges {
        endpoints = List.copyOf(endpoints);
        changes = List.copyOf(changes);
    }

    public long changedTotal() {
        return endpoints.stream().mapToLong(Endpoint::changed).sum();
    }

    public long controlDiffersTotal() {
        return endpoints.stream().mapToLong(Endpoint::controlDiffers).sum();
    }

    public long comparedTotal() {
        return endpoints.stream().mapToLong(Endpoint::compared).sum();
    }
}
