package io.parikshan.agent;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;

/**
 * Names of probe sites. A site is {@code <binary type name>.<method name><descriptor>}, the same
 * string the advice gets from {@code @Advice.Origin("#t.#m#d")}.
 */
final class Sites {

    private Sites() {
    }

    static String of(TypeDescription type, MethodDescription method) {
        return type.getName() + "." + method.getInternalName() + method.getDescriptor();
    }

    static String typeName(String site) {
        return site.substring(0, site.lastIndexOf('.', site.indexOf('(')));
    }

    static String methodName(String site) {
        int paren = site.indexOf('(');
        return site.substring(site.lastIndexOf('.', paren) + 1, paren);
    }
}
