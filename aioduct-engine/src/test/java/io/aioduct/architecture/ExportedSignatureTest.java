package io.aioduct.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.JavaTypeVariable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What the module exports may not name what it hides: no public or protected signature of an accessible
 * type in an exported package (supertypes, type-parameter bounds, fields, constructor and method parameters,
 * returns, throws) mentions a type of a non-exported package ({@code exchange}, {@code body},
 * {@code syntax}, {@code concurrent}, {@code http1}, {@code http2}). Such a signature is unusable outside the
 * module and ties the hidden package to the public contract. javac's {@code exports} lint says the same per
 * use site, and is on in the engine's build: this test names every leak at once, in one place.
 *
 * <p>{@link #KNOWN} listed the leaks on main when the module was introduced, each one "owner.member: leaked
 * type", and only shrank; it is empty since {@code Response} builds through {@code exchange.Responses}. The
 * test fails on any leak not in it, and on any entry no longer found.
 */
class ExportedSignatureTest {

    /** The leaks the module started with; remove an entry when its leak is fixed (the test says when). */
    static final Set<String> KNOWN = Set.of();

    @Test
    void exportedSignaturesNameNoTypeOfAHiddenPackage() {
        Set<String> leaks = leaks();
        Set<String> fresh = new TreeSet<>(leaks);
        fresh.removeAll(KNOWN);
        Set<String> fixed = new TreeSet<>(KNOWN);
        fixed.removeAll(leaks);
        assertThat(fresh)
                .as("exported signatures that name a non-exported type (make the member non-public, or move the type)")
                .isEmpty();
        assertThat(fixed)
                .as("leaks listed in ExportedSignatureTest.KNOWN that are gone: remove them from the list")
                .isEmpty();
    }

    static Set<String> leaks() {
        Set<String> leaks = new TreeSet<>();
        for (JavaClass type : EnginePackages.mainClasses()) {
            if (!EnginePackages.EXPORTED.contains(type.getPackageName()) || !accessible(type)) {
                continue;
            }
            String owner = type.getName().replace('$', '.');
            List<JavaType> declared = new ArrayList<>();
            type.getSuperclass().ifPresent(declared::add);
            declared.addAll(type.getInterfaces());
            for (JavaTypeVariable<JavaClass> variable : type.getTypeParameters()) {
                declared.addAll(variable.getUpperBounds());
            }
            record(leaks, owner, declared);
            boolean subclassable = !type.getModifiers().contains(JavaModifier.FINAL);
            for (JavaField field : type.getFields()) {
                if (exposed(field.getModifiers(), subclassable)) {
                    record(leaks, owner + "." + field.getName(), List.of(field.getType()));
                }
            }
            for (JavaCodeUnit unit : type.getCodeUnits()) {
                if (!exposed(unit.getModifiers(), subclassable)) {
                    continue;
                }
                List<JavaType> signature = new ArrayList<>(unit.getParameterTypes());
                signature.add(unit.getReturnType());
                signature.addAll(unit.getThrowsClause().getTypes());
                for (JavaTypeVariable<? extends JavaCodeUnit> variable : unit.getTypeParameters()) {
                    signature.addAll(variable.getUpperBounds());
                }
                record(leaks, owner + "." + unit.getName(), signature);
            }
        }
        return leaks;
    }

    private static void record(Set<String> leaks, String where, List<? extends JavaType> types) {
        for (JavaType t : types) {
            for (JavaClass raw : t.getAllInvolvedRawTypes()) {
                JavaClass base = raw.getBaseComponentType();
                if (EnginePackages.INTERNAL.contains(base.getPackageName())) {
                    leaks.add(where + ": " + base.getName());
                }
            }
        }
    }

    private static boolean exposed(Set<JavaModifier> modifiers, boolean subclassable) {
        if (modifiers.contains(JavaModifier.SYNTHETIC) || modifiers.contains(JavaModifier.BRIDGE)) {
            return false;
        }
        return modifiers.contains(JavaModifier.PUBLIC) || (subclassable && modifiers.contains(JavaModifier.PROTECTED));
    }

    /** Reachable by name from another module: public (or protected, if nested), and so is every enclosing type. */
    private static boolean accessible(JavaClass type) {
        if (type.isAnonymousClass() || type.isLocalClass()) {
            return false;
        }
        Set<JavaModifier> m = type.getModifiers();
        boolean open = m.contains(JavaModifier.PUBLIC) || (type.isNestedClass() && m.contains(JavaModifier.PROTECTED));
        return open
                && type.getEnclosingClass()
                        .map(ExportedSignatureTest::accessible)
                        .orElse(true);
    }
}
