# zsh zsh-complete.zsh SCRIPT "words typed": the matches zsh offers after a TAB there, one a line, sorted.
# A real interactive zsh on a pseudo-terminal (zpty) with compinit; compadd is wrapped to print what it adds,
# and TAB is bound to complete-word followed by an end mark, so nothing is typed while completion runs (zsh
# cuts a completion short when input is pending).
zmodload zsh/zpty
zpty z zsh -f -i
# Reads lines until one holds $1; with $2, prints what came before it.
wait_for() { local line; while zpty -r z line; do [[ $line == *$1* ]] && return 0; [[ -n $2 ]] && print -rn -- "$line"; done; return 1 }
zpty -w z "PROMPT='>' RPROMPT=''; autoload -Uz compinit; compinit -u -D"
zpty -w z "source ${(q)1}"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; local -a __hits; builtin compadd -A __hits "$@"; local h; for h in $__hits; do print -r -- "<hit>$h</hit>"; done; }'
zpty -w z 'complete-and-mark() { zle complete-word; print -r -- "<end''mark>" }; zle -N complete-and-mark; bindkey "^I" complete-and-mark'
zpty -w z "print -r -- READY''1"
wait_for $'READY1\r' || exit 2
zpty -w -n z "$2"$'\t'
out=$(wait_for '<endmark>' keep) || exit 3
print -r -- "$out" | grep -o '<hit>[^<]*</hit>' | sed 's/<hit>\(.*\)<\/hit>/\1/' | sort -u
zpty -w z $'\C-u'"exit"
zpty -d z
