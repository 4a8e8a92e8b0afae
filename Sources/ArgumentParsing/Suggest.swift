/// The candidate closest to `word` by edit distance, if close enough to be a plausible typo.
///
/// Distance counts insertions, deletions, substitutions and swaps of adjacent characters, so
/// "prot" finds "port". The allowance grows with the word's length (1 up to 3 letters, 2 up to 7,
/// then 3) and stays below the word's length, so a one-letter word never matches a different one.
/// Ties go to the earlier candidate.
package func suggest(_ word: String, among candidates: [String]) -> String? {
    let allowance = min(word.count < 4 ? 1 : word.count < 8 ? 2 : 3, word.count - 1)
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(Array(word), Array(candidate))
        if distance <= allowance && distance < (best?.distance ?? .max) { best = (candidate, distance) }
    }
    return best?.candidate
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    // d[i][j] is the distance between the first i characters of a and the first j of b.
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
