# shellcheck shell=bash
# Sourced by the project's scripts: finds a JDK >= 21 and exports JAVA_HOME and PATH for it.
# Order: $JAVA_HOME if it is new enough, else the newest JDK >= 21 under /usr/lib/jvm, else an error.

aioduct_java_major() {
    # Prints the feature version of the java binary $1 (17, 21, 25...), or nothing.
    local v
    v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
    case "$v" in
        1.*) echo "${v#1.}" ;;
        *) echo "$v" ;;
    esac
}

aioduct_find_jdk() {
    local candidate major best="" best_major=0
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        major=$(aioduct_java_major "$JAVA_HOME/bin/java")
        if [ -n "$major" ] && [ "$major" -ge 21 ]; then
            echo "$JAVA_HOME"
            return 0
        fi
        echo "aioduct: JAVA_HOME=$JAVA_HOME is Java $major, older than 21; looking for a newer JDK" >&2
    fi
    for candidate in /usr/lib/jvm/*; do
        [ -x "$candidate/bin/javac" ] || continue
        major=$(aioduct_java_major "$candidate/bin/java")
        [ -n "$major" ] || continue
        if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
            best="$candidate"
            best_major="$major"
        fi
    done
    if [ -z "$best" ]; then
        echo "aioduct: no JDK 21 or newer found (JAVA_HOME is '${JAVA_HOME:-unset}', nothing suitable under /usr/lib/jvm)." >&2
        echo "aioduct: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
        return 1
    fi
    echo "$best"
}

JAVA_HOME=$(aioduct_find_jdk) || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
AIODUCT_JAVA_MAJOR=$(aioduct_java_major "$JAVA_HOME/bin/java")
export AIODUCT_JAVA_MAJOR
# Maven's own libraries (Guice) touch sun.misc.Unsafe; on JDK 23+ allow it so the build log stays clean.
if [ "$AIODUCT_JAVA_MAJOR" -ge 23 ]; then
    case " ${MAVEN_OPTS:-} " in
        *sun-misc-unsafe-memory-access*) ;;
        *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
fi
