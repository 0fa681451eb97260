// Types for wink-porter2-stemmer (it ships none): one function, word → Porter2 stem.
declare module 'wink-porter2-stemmer' {
  function stem(word: string): string;
  export default stem;
}
