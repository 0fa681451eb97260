// The words coding agents use for a need, against the words servers use in tool names and descriptions.
// Curated by hand for developer tooling (files, version control, code hosting, CI, containers, databases,
// browsers, the web, chat, documents, knowledge and memory); measured by `npm run eval`.

import { stem } from './text.js';

/**
 * Abbreviations and shorthand that mean exactly their expansion (the expansion is searched at full weight).
 * Keys and values are plain words; a value may be a phrase.
 */
const SHORTHAND: Record<string, string> = {
  pr: 'pull request', prs: 'pull request', mr: 'merge request', mrs: 'merge request', repo: 'repository', repos: 'repository',
  dir: 'directory', dirs: 'directory', cwd: 'working directory', mkdir: 'create directory', ls: 'list directory', cd: 'working directory',
  rm: 'delete', mv: 'move', cp: 'copy', cat: 'read file', grep: 'search', env: 'environment', envs: 'environment', cfg: 'configuration',
  conf: 'configuration', config: 'configuration', k8s: 'kubernetes', kube: 'kubernetes', db: 'database', dbs: 'database',
  ci: 'pipeline', msg: 'message', msgs: 'message', img: 'image', pic: 'image', docs: 'documentation',
  info: 'information', pkg: 'package', deps: 'dependencies', auth: 'authentication', id: 'identifier',
  js: 'javascript', ts: 'typescript', py: 'python', gh: 'github', prod: 'production', gl: 'gitlab', mongo: 'mongodb', pg: 'postgres', postgresql: 'postgres',
  psql: 'postgres', sql: 'sql query', dm: 'direct message', ss: 'screenshot', xhr: 'network request', ajax: 'network request',
  a11y: 'accessibility', repl: 'interactive process', tty: 'terminal', pid: 'process', proc: 'process', ui: 'interface',
  org: 'organization', orgs: 'organization', kv: 'key value', ttl: 'expiry', gcal: 'calendar',
  todo: 'task', todos: 'task', stacktrace: 'stack trace', traceback: 'stack trace', kubectl: 'kubectl kubernetes',
  helm: 'helm chart', atlas: 'mongodb', npm: 'package', wiki: 'page', lat: 'latitude', lng: 'longitude', lon: 'longitude', geo: 'location',
};

/** Groups of words (or phrases) an agent uses for about the same idea; any member in a query also looks for the others. */
const GROUPS = `
folder | directory
file | document
save | write | store | persist | create
fact | observation | note
person | entity | people
link | relation | relationship | connect | associate
connection | relation
note | observation | comment
delete | remove | erase | wipe | destroy | discard | purge | drop
clear | delete | reset
create | make | new | add | open | start | generate | init | initialize | set up
edit | modify | change | update | patch | alter | tweak | replace | amend
rename | move
copy | duplicate | clone | fork
read | view | show | open | look | see | inspect | display | print | content | get | retrieve
show | get | list | view | display | describe | retrieve
find | search | look up | lookup | locate | seek | discover | query
fetch | download | get | retrieve | grab | pull
upload | push | send | publish
list | enumerate | all
run | execute | exec | launch | start | invoke | trigger | kick off | fire
stop | kill | terminate | end | abort | cancel | halt | shut down
close | shut | quit | exit
wait | until | appear | disappear
message | post | chat | notify | tell | say | announce | ping | send
reply | respond | answer | thread
comment | remark | feedback | review
approve | review | accept | sign off
reject | request changes
error | bug | issue | exception | crash | failure | problem | incident | fault
log | output | printed | console
test | spec | suite
flaky | intermittent | unstable | flake
build | pipeline | ci | workflow | job
deploy | release | rollout | ship | deployment
rollback | roll back | revert | undo | previous
container | pod | docker
cluster | kubernetes | kubectl
replica | scale | instance
restart | rollout | redeploy
context | cluster | kubeconfig
chart | helm | release
node | machine | host
drain | cordon | maintenance | evict
port forward | tunnel | expose | forward
shell into | exec | run inside
explain | meaning | documentation | describe
namespace | project
screenshot | capture | snapshot | screen | picture | image
click | press | tap | push button | hit
type | enter | fill | input | key in
dropdown | select | option | choose | pick | combobox
hover | mouse over | mouseover
page | web page | site | website | url | link
navigate | go to | visit | browse | load | open url
go back | back | previous page
tab | window
dialog | popup | alert | confirm | prompt | modal
network | request | xhr | http | traffic | api call
attach | upload | file input
drag | drop | move
accessibility | aria | snapshot | dom | tree
viewport | window | resize | size | dimensions | width | height
dark mode | color scheme | theme | media
key | keyboard | keystroke
form | fields | inputs
javascript | script | code | evaluate | eval
coordinates | latitude | longitude | location | position | geocode
address | street | place | location
route | directions | itinerary | turn by turn
drive | travel | distance | commute | duration | how long
elevation | altitude | height | above sea level
nearby | near | around | close to
business | place | shop | restaurant | store
user | person | member | profile | account | who
channel | room | conversation
reaction | emoji | react
branch | ref
commit | snapshot | check in | revision
stage | index | add
stash | shelve | set aside | save for later
tag | mark | label | version
history | log | commits | timeline
diff | changes | changed | difference | compare
blame | author | who wrote | who changed | annotate | last touched
merge | combine | integrate | join
rebase | replay | reapply
reset | undo | unstage | discard
cherry pick | apply commit | pick commit
remote | origin | upstream
reflog | recover | lost
checkout | switch | change branch
worktree | working tree | side by side
untracked | stray | leftover | artifact
repository | project
issue | ticket | bug
pull request | merge request | change request | code review
status | state | check | passing | green | red
check | status | ci
database | db | datastore | store
table | collection | schema
row | record | document | entry | item
column | field | attribute | property
schema | structure | shape | columns | fields | layout
index | key
count | how many | number of | total | tally
aggregate | group | sum | total | pipeline | statistics
sql | query | select
slow | performance | plan | optimize | explain
documentation | docs | reference | manual | guide | official | api
library | package | framework | module | dependency
think | reason | reasoning | step by step | reflect | plan | analyze
research | investigate | deep dive | sources | study
crawl | spider | whole site | entire site | every page
map | sitemap | urls | links
extract | scrape | parse | pull out | structured
paper | arxiv | academic | publication | article
cite | citation | related | references
monitor | watch | recurring | schedule | track changes | alert | every day
pdf | document | report
process | pid | program | task
terminal | shell | command | console | cli
config | configuration | settings | setting | preferences | options
environment | variables | env vars
design | mockup | layout | styles | frame | component | figma
icon | image | asset | svg | png | graphic
page | doc | document | note | wiki
property | field | status
sum | add | plus | total | calculate | math
echo | repeat | say back | mirror
toggle | turn on | turn off | switch | enable | disable
size | biggest | largest | space | bytes
tree | hierarchy | nested | recursive | structure | layout
metadata | info | details | stats | modified | timestamp | permissions
allowed | permitted | access | accessible | touch
media | image | audio | binary | png | jpg
multiple | several | many | batch | bulk | at once | side by side
release | version | ship
replay | recording | session
root cause | diagnose | analyze | fix | why
resolve | close | assign | mark
validate | lint | check | verify
artifact | output | download
usage | cost | credits
team | group
secret | token | key | credential
finish | end | complete
collaborator | member | teammate
`;

/**
 * What an agent's word or phrase means in the words servers use (one way only: the servers' words do not
 * mean the agent's). `word => phrase, phrase`.
 */
const MEANS = `
remember => memory, store memory, add observation, create entity, knowledge graph, memorize
memorize => memory, add observation, create entity
recall => search memory, search knowledge graph
forget => delete memory, delete entity, delete observation, remove
saved => stored, memory, persisted
later => memory, stored, stash
note => observation
notes => observation
fact => observation
facts => observation
preference => observation, setting, configuration
prefers => observation, preference
uncommitted => working tree status, unstaged, untracked, modified, diff
work in progress => uncommitted changes, stash
wip => uncommitted changes, stash
pending changes => working tree status, diff
local changes => working tree status, diff
local branches => branch
open issues => list issues
open pull requests => list pull requests
open prs => list pull requests
google => web search, search engine
look up online => web search
search online => web search
online => web search, internet
internet => web
up for review => pull request
for review => pull request, review
code review => pull request review
hog => cpu usage, memory usage, process
hogging => cpu usage, memory usage, process
cpu => process, usage, resource
ram => memory usage, process
inside => contents, content
in one go => multiple, at once, batch
at once => multiple, batch
in bulk => multiple, batch, many
comment on => add comment, create comment
reply to => reply
devtools => console, browser, developer tools
crashloop => crash, restart, describe, logs
crashlooping => crash, restart, describe, logs
crashing => crash, error, logs
table => sql, schema, collection, database
tables => sql, schema, collection, database
columns => schema, fields, sql, describe
rows => records, documents, sql
terminal => process, shell, command
console => terminal, log, messages
profile => user, details
who => user, author, person
who else => collaborator, member
who is on => collaborator, member
latest => recent, newest, last, current
recent => latest, last, history
get => find, fetch, retrieve
newest => latest, recent
finished => status, done, complete, completed
done => status, complete, completed
yet => status
progress => status
bump => update, scale, upgrade, increase
spin up => create, start, launch
tear down => delete, destroy, stop
ship => deploy, release, publish
sha => commit
hash => commit
upstream => remote, fork, origin
official => documentation
tail => log, follow, recent output
printed => output, log
says => output, log, message
hitting => affecting, errors
production => errors, deployed, environment
broken => error, failing, failure
failing => failure, error, failed
passing => status, success, tests
slow => performance, explain, plan, latency
speed up => performance, index, optimize
screenshot => capture, image
snapshot => screenshot, capture, accessibility
dark mode => color scheme, emulate media
light mode => color scheme, emulate media
mobile => viewport, resize, emulate
phone => mobile, viewport, resize
popup => dialog, alert, confirm, prompt
login => sign in, authentication, form
sign in => login, authentication
password => form, field, input
button => click, element
link => create relation, relation, url
relate => relation, link
path => file, directory
know => knowledge, memory
knows => knowledge, memory
du => disk usage, sizes
disk usage => sizes, storage size
stat => metadata, information
find and replace => edit, replace
glob => pattern, search files
sandbox => allowed directories
land => merge
squash => merge
lgtm => approve review
reopen => update issue
relabel => update label
usages => search code
backlog => issues
thumbs up => reaction emoji
ack => reaction
catch up => history recent messages
scrollback => history
members => users
how far => distance
travel time => distance duration
opening hours => place details
rating => place details
how to get to => directions
where is => geocode location
find on page => find text page
new tab => tabs
reduced motion => emulate media
webpage => web page, scrape
page => browser, web page
api reference => documentation
examples => documentation, code examples
how to use => documentation
pod => kubernetes resource, container
pods => kubernetes resource, container
deployment => kubernetes resource, rollout
deployments => kubernetes resource, rollout
statefulset => kubernetes resource
daemonset => kubernetes resource
configmap => kubernetes resource
ingress => kubernetes resource
crd => kubernetes api resources
crds => kubernetes api resources
grep => search contents, search files
ripgrep => search contents
ps => list processes
stdin => input process
send input => interact process
discard changes => reset, checkout
unstage => reset
records => documents, rows
seed => insert
how big => size, storage, statistics
exceptions => issues, errors
mute => update issue, ignore
ignore => update issue
ci failure => build failure logs
build status => pipeline status
compress => gzip
zip => gzip, compress
keep in mind => memory, add observation, remember
jot down => observation, memory
note down => observation, memory
take note => observation, memory
memories => memory, knowledge graph
memory => knowledge graph
knowledge base => knowledge graph, knowledge
what we know => search memory, knowledge graph
what's in => list, contents
what is in => list, contents
depends on => relation
dependency between => relation
overwrite => write file
append => write, edit, add
contents => read, file
subfolder => directory
subfolders => directory
subdirectory => directory
subdirectories => directory
modified => metadata, info
last modified => metadata, file info
created => metadata, create
permissions => metadata, info
wildcard => pattern, search files
image file => media file
picture => image, media
labelled => label, labels
labeled => label, labels
assignee => assign, assignees
milestone => issue
checks => status
ci checks => status checks
changed files => pull request files
review comments => pull request comments
behind main => update branch
sync with => update branch, pull, rebase
up to date => update, latest, pull
conflicts => merge
conflict => merge
amend => commit
staged => stage, add, status
dm => message
announce => post message
discussion => history, messages
conversation => history, messages, thread
said => history, messages
lately => recent, history
eta => duration, distance, directions
zip code => address, geocode
postcode => address, geocode
near me => nearby, places
restaurants => places
cafes => places
news => web search, news
grab => fetch, scrape, extract
every page => crawl
urls => map, links
keep an eye on => monitor
scroll => press key, mouse
enter text => type
fill in => fill, type
hit => press, click
average => aggregate
avg => aggregate
group by => aggregate
upsert => update
bulk insert => insert many
retry => rerun
re run => rerun
rerun => rerun workflow
trigger => run, pipeline
deploy logs => logs
events => describe, events
reachable => port forward
running => process, list processes
running processes => list processes
stack trace => issue, event, error
crash => issue, error
crashes => issue, error
release notes => releases, changelog
changelog => release, history, log
doc => page, documentation
wiki page => page
subpage => page, child
append to => patch block children, append
unresolved => issues, status
regression => issue, error
alert => issue, monitor
how many => count, statistics
size of => size, storage, statistics
disk space => size, storage
free up => clean, delete
leftover => untracked, clean
artifacts => artifact, output
crm => contacts, companies, deals
compass direction => bearing
heading => bearing
best order => optimization, optimal route
shortest route => optimization, directions
union => merge, combine
open pr => create pull request
open mr => create merge request
propose => create, pull request, merge request
file a => create, new
file an => create, new
report a => create issue
report an => create issue
report this => create issue
close => update, state
assign => update
reply => comment
respond => comment
defined => code, definition
definition => code
implemented => code
implementation => code
reported => issue, search issues
known issue => search issues
already reported => search issues
duplicates => search issues
duplicate issue => search issues
submit => create, post
leave => add, create
inline => comments, review comments
channel id => list channels
follow up => reply, thread
responses => replies, thread
everyone => users, all users, members
who is on => users
people => users
logged in => whoami, authenticated user, self
current user => whoami, authenticated user, self
authenticated as => whoami, authenticated user, self, bot user
am i => whoami, self
bullet => block
bullets => block
bullet list => block
paragraph => block
paragraphs => block
mark => update
discussion => comments
notion database => data source
notion db => data source
notion table => data source
rows => query
sorted by => query, sort
reorganize => move
relocate => move
as text => markdown
plain text => markdown
rewrite => update, replace
body => content
breakdown => distribution, tag values
unique => distribution
count of => counts, statistics
latency => performance, statistics
p95 => latency, performance, aggregate, statistics, spans, events
p99 => latency, performance, aggregate, statistics, spans, events
client key => dsn
client keys => dsn
how do i => documentation, guide
how to => documentation, guide
occurrences => events
occurrence => event
look for => search, find
look in => search
unresolved => search issues
rename => update
ci run => pipeline, build
consumption => usage
spend => usage, cost
billing => usage, cost
smaller => underused, resource class
oversized => underused, resource class
downsize => underused, resource class
overwrite => update file
together => multiple, single commit
open source => repositories
are open => list
still open => list
how many errors => events, counts, statistics
number of errors => events, counts, statistics
error count => events, counts
error counts => events, counts
error rate => events, statistics
errors per => events, aggregate
p50 => spans, events, aggregate
percentile => spans, events, aggregate
exception => sentry, issue, error
exceptions => sentry
crash report => sentry, issue, event
crash reports => sentry, issues
set up => setup
setting up => setup
integrate => integration, setup
instrument => instrumentation
anyone => search
add => append
add a row => create page, insert
new row => create page, insert
raise => create
log a bug => create issue
log an issue => create issue
log a ticket => create issue
referenced => code, search code
imported => code, search code
symbol => code, search code
readme => file
branch off => create branch
cut a => create
out of date => update branch, latest
outdated => update branch, latest
broadcast => post message
drop a note => post message
drop a message => post message
colleagues => users, members
coworkers => users, members
timezone => profile
time zone => profile
display name => profile
job title => profile
at the bottom => append
at the end => append
checklist => block, to do
trash => archived, in trash
new property => update, property, properties
most frequent => search, sort
most common => search, sort
unhandled => error, exception, issues
snooze => ignore, update issue
as fixed => resolved, resolve
close out => resolve, update
cause => root cause, analysis
causing => root cause, analysis
which browsers => tag values, distribution
by browser => tag values, distribution
which devices => tag values, distribution
operating systems => tag values, distribution
deploys => releases, deployment
who am i => whoami, authenticated user
flamegraph => profile
flame graph => profile
profiling => profile
minidump => attachment
crash dump => attachment
broke => failure, failed, error
sometimes => flaky, intermittent
nondeterministic => flaky
randomly => flaky
test cases => tests, test results
junit => test results
test report => test results
valid => validate
invalid => validate
syntax => validate
build outputs => artifacts
binaries => artifacts
coverage report => artifacts
design specs => design, layout
fonts => styles, visuals
colors => styles, visuals
typography => styles, visuals
spacing => layout
look through => search
search through => search
github handle => username, user
user handle => username, user
username => user
environments => tag values, distribution
content blocks => block children
new messages => history, recent
unread => history, recent
database entry => page
database row => page
database item => page
database entries => query data source
database rows => query data source
database items => query data source
issue details => resource, fetch
wrong => error, issues
sentry issues => search issues
sentry errors => search issues
sentry issue => resource
requested changes => reviews
throwing => error, exception, issues
thrown => error, exception, issues
throws => error, exception, issues
child blocks => block children
open => navigate
in the browser => navigate, browser
looks like => screenshot
look like => screenshot, schema, structure
renders => screenshot, snapshot
rendered => screenshot, snapshot
visually => screenshot
elements => snapshot, element
accessibility tree => accessibility snapshot
element refs => snapshot
search box => input, type, field
text box => input, type, field
textbox => input, type, field
input box => input, type, field
text field => input field, type
field => input field
escape => press key, keyboard
esc => press key, keyboard
shortcut => press key, keyboard
hotkey => press key, keyboard
keypress => press key
ctrl => press key, keyboard
arrow key => press key
enter key => press key
logged => log, console messages
console log => console messages
response body => full details, body, headers
headers => full details, headers, body
payload => body, request
status code => network request
contain => find, search
contains => find, search
sleep => wait, time
seconds => wait, time
settle => wait
pause => wait, paused, status
internet => web, web search
url => webpage, web page
as json => structured, extract
results of => status, retrieve results
pdf => parse, file
docx => parse, file
rate => feedback, rating
do i have => list
past => history, historical, previous
history => historical
past runs => historical checks, history
literature => search papers, papers, academic
papers on => search papers
papers about => search papers
articles => web search, articles
what address => reverse geocode, address
which address => reverse geocode, address
address is at => reverse geocode
address at => reverse geocode
what city => reverse geocode, address
which city => reverse geocode, address
hotel => places
hotels => places
gas station => places
gas stations => places
pharmacy => places
coffee => places
shops => places
within => radius, nearby
phone number => place details
reviews => reviews, place details
walking => directions, mode
walk => directions
driving => directions, distance, mode
drive to => directions
transit => directions, mode
cycling => directions, mode
how do i get => directions
pod => kubectl, kubernetes resource, container
pods => kubectl, kubernetes resource, container
deployment => kubectl, kubernetes resource, rollout
deployments => kubectl, kubernetes resource, rollout
statefulset => kubectl, kubernetes resource
daemonset => kubectl, kubernetes resource
configmap => kubectl, kubernetes resource
ingress => kubectl, kubernetes resource
replicaset => kubectl, kubernetes resource
cronjob => kubectl, kubernetes resource
namespace => kubectl, namespace
svc => kubectl, service
in detail => describe, details
push => apply
kill => delete
in place => patch, update
switch to => select, set, checkout, switch
spec => field, explain
kubectl explain => explain resource
kubectl exec => exec in pod
kubectl top => kubectl generic
kubectl drain => node management
kubectl cordon => node management
open a shell => exec, execute command
get a shell => exec, execute command
shell in => exec
clean up => cleanup, clean
alive => ping, responsive
health check => ping
healthy => ping
documents => collection, many
stats => statistics
statistics => stats
delete all => delete many
whose => match, filter
matching => match, filter
close => disconnect
collection scan => explain, winning plan
using an index => explain, winning plan
scan => explain, plan
dump => export
add => insert
fixture => insert, seed
fixtures => insert, seed
are in => list
exist => list
open connections => active connections, list connections
set => update
mark as => update, set
all => many
row => sql, records
join => aggregate
joining => aggregate
set the value => fill, type, input
set value => fill, input
mark => update
right click => click, button
double click => click
how it looks => screenshot
looks broken => screenshot
page structure => accessibility snapshot
box => input, field
warnings => console, messages, log
javascript errors => console messages, errors
js errors => console messages, errors
end => close
ok => accept, dialog
bakery => places
dentist => places
dentists => places
doctor => places
hospital => places
gym => places
supermarket => places
grocery => places
nearby => places, local
article => webpage, web page, article
all pages => crawl
all the pages => crawl
whole website => crawl
entire website => crawl
citations => sources, research
compile a report => research, gather information
report on => research
spreadsheet => parse, file
xlsx => parse, file
notify me when => create monitor
alert me => create monitor
open now => opening hours, place details
crashloopbackoff => crash, restart, describe, logs
deploy => apply, install
sorted by => sort
sort by => sort
get rid of => delete, drop, remove
staging => environment, staging, stage
context menu => right click, click
screengrab => screenshot
screen grab => screenshot
screencap => screenshot
har => network requests
api calls => network requests
high contrast => contrast, forced colors, emulate media
file picker => file upload
file chooser => file upload
dropzone => drop, files
drop zone => drop, files
spinner => wait, disappear, text gone
loading => wait
intercept => playwright code, run code, route
mock => playwright code, run code
responsive => resize, viewport
localstorage => evaluate, javascript
cookies => evaluate, javascript, cookies
stack overflow => web search
stackoverflow => web search
blog posts => web search, articles
site structure => map, sitemap
distinct => aggregate
unique values => aggregate
import => insert
truncate => delete many, drop
empty the => delete many
connection string => connect
information schema => sql query
checkbox => click, check
tick => click, check
untick => click, uncheck
radio button => click
expand => click
accordion => click
log in => login, sign in, form
credentials => login, form, password
shown => snapshot, screenshot, show
tooltip => hover
computed style => evaluate, javascript
anywhere => find, search
on screen => page, screenshot
every url => map, urls
all urls => map
all the urls => map
list urls => map
recurring => create monitor, schedule
similar to => related
similar => related
postal address => reverse geocode, address
from coordinates => reverse geocode
km => distance
miles => distance
kilometers => distance
throw away => delete, drop, remove, discard
load => insert
increment => update
decrement => update
save the result => export
save results => export
upload => file upload
coordinates for => geocode
coordinates of => geocode
address for => reverse geocode
address of => reverse geocode
readable address => reverse geocode
completed => status, complete
log into => login, sign in, connect
uri => url, connection string
go forward => navigate
close => stop
collections => list collections
databases => list databases
cookie banner => click, accept
banner => click, button
consent => click, accept
paste => type, fill, input
textarea => input, type, field
visible => appear, wait
block until => wait
pod status => kubectl get, status
wrong with => describe, error, diagnose
container output => logs
backup => export
explain analyze => sql query, query
new name => rename
stop => close
pops up => dialog, popup
pop up => dialog, popup
confirmation => confirm, dialog
last working version => rollback, rollout, revision, revert
previous version => rollback, rollout, revision, revert
last known good => rollback, rollout, revision, revert
workloads off => drain, evict
workloads => kubectl, pods
hits an index => explain, winning plan
hits the index => explain, winning plan
uses an index => explain, winning plan
uses the index => explain, winning plan
build an index => create index
build index => create index
add an index => create index
curl => fetch, webpage, http request
wget => fetch, download, webpage
nuke => delete, drop, destroy, remove
blow away => delete, drop, destroy, remove
more pods => scale, replicas
more replicas => scale, replicas
more instances => scale, replicas
fewer => scale, replicas
down to zero => scale, replicas
to zero => scale, replicas
scale down => scale, replicas
scale up => scale, replicas
poke around => exec, shell, explore
snag => fetch, scrape, extract
html => scrape, html
back button => navigate back, go back
refresh => reload, navigate
reload => navigate
clean => delete, remove
duplicates => aggregate, group
cluster nodes => kubectl get, node
secret => kubectl, secret
secrets => kubectl, secret
set image => patch, image
atm => places
atms => places
waiting for review => list pull requests
awaiting review => list pull requests
pending review => list pull requests
reassign => update issue, assign
behind base => update branch
assigned to me => list issues, filter
across github => search
stderr => logs, output
poll => check status, status
next page => more results, pagination, offset
unlink => delete relations
not committed => working tree status, uncommitted
put aside => stash
one request => single network request
that request => single network request
one api call => single network request
entities named => open nodes, names
nodes named => open nodes, names
documents where => find, filter
documents matching => find, filter
fetch documents => find
every matching => many, match
list pods => get or list
all pods => get or list
list deployments => get or list
all deployments => get or list
list services => get or list
into json => extract, structured
watch for changes => create monitor
workspace members => list all users
i launched => process output, running process
recent commits => list commits, commit history
remove untracked => clean
delete untracked => clean
works at => create relations, relation
works for => create relations, relation
approve this => create review, approve
approve the => create review, approve
memory leak => leak, bug, performance
status property => update page properties
to do list => append block children, block, checklist
members of => list all users
container crash => pod logs, logs, container
watch this => create monitor, monitor
do i know => search nodes, knowledge graph
remove the link => delete relations
delete the link => delete relations
throw away untracked => remove untracked files, clean
happened => events, occurred
pull up => get details, show
line comments => review comments
inline comments => review comments
open a ticket => create issue
file a ticket => create issue
look up issue => get issue
what's inside => list, contents, children
few documents => find, documents
sample documents => find, documents
field types => schema, describe schema
is there an index => collection indexes, describe indexes
print logs => get logs, logs
show logs => get logs, logs
resource types => api resources, list api resources
request number => single network request
note that => add observations, observation
what's staged => working tree status, staged
history of changes => commit history, log
discard local changes => reset, hard reset, discard
discard all local changes => reset, hard reset, discard
not yet committed => uncommitted, working tree status
how often => counts, events, statistics, frequency
hogging memory => memory usage, cpu usage, process
memory usage => memory usage, cpu usage, process
specific fields => extract, structured data
distinct values => aggregate, distinct, group
record with => find, query, filter
create a row => create page, insert
add a row => create page, insert
history of commits => list commits, commit history, log
squash and merge => merge pull request, squash
approving review => create review, approve
open bugs => list issues, bug
full issue => get issue, details
read the issue => get issue, details
approve it => create review, approve
checkbox property => update page properties, checkbox
running in the cluster => get or list, kubernetes resources
head back => reset, head
description of => describe, details
log of commits => commit history, log
`;

/** One way to read a query word: a phrase of terms, and how much a match of it counts against the word itself. */
export interface Expansion {
  words: string[];
  /** Shorthand means exactly its expansion; a group member only something close. */
  shorthand: boolean;
}

// Word or phrase → the phrases (as word lists) it also looks for: group members both ways, MEANS one way.
function parseGroups(): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  const link = (from: string, to: string) => {
    const list = out.get(from) ?? [];
    if (from !== to && !list.some((l) => l.join(' ') === to)) list.push(to.split(' '));
    out.set(from, list);
  };
  for (const line of GROUPS.trim().split('\n')) {
    const members = line.split('|').map((m) => m.trim().toLowerCase()).filter(Boolean);
    for (const m of members) for (const other of members) link(m, other);
  }
  for (const line of MEANS.trim().split('\n')) {
    const [from, to] = line.split('=>').map((x) => x.trim().toLowerCase());
    for (const target of to?.split(',') ?? []) link(from!, target.trim());
  }
  return out;
}

let groups: Map<string, string[][]> | undefined;
/** The same, keyed by the stems of each phrase: a word in a form the vocabulary lacks (`errors`, `labelled`). */
let byStem: Map<string, string[][]> | undefined;

/** A phrase's words as stems. */
function stems(phrase: string): string {
  return phrase.split(' ').map(stem).join(' ');
}

/** Phrases already looked up (a query reads every run of up to MAX_PHRASE words), bounded. */
const looked = new Map<string, string[][] | undefined>();
const LOOKED = 20_000;

/** The vocabulary's related phrases for a query phrase: as written, else in another form of its words. */
function related(phrase: string): string[][] | undefined {
  if (looked.has(phrase)) return looked.get(phrase);
  if (looked.size >= LOOKED) looked.clear();
  const out = lookUp(phrase);
  looked.set(phrase, out);
  return out;
}

function lookUp(phrase: string): string[][] | undefined {
  groups ??= parseGroups();
  const exact = groups.get(phrase);
  if (exact) return exact;
  if (!byStem) {
    byStem = new Map();
    for (const [key, list] of groups) {
      const k = stems(key);
      const merged = byStem.get(k) ?? [];
      for (const l of list) if (!merged.some((m) => m.join(' ') === l.join(' ')) && stems(l.join(' ')) !== k) merged.push(l);
      byStem.set(k, merged);
    }
  }
  return byStem.get(stems(phrase));
}

/** Longest phrase (in words) that the vocabulary knows. */
export const MAX_PHRASE = 4;

/** The expansions of a query word or phrase (`words` joined by spaces), not counting the word itself. */
export function expansions(phrase: string): Expansion[] {
  const out: Expansion[] = [];
  const short = SHORTHAND[phrase];
  if (short) out.push({ words: short.split(' '), shorthand: true });
  for (const words of related(phrase) ?? []) out.push({ words, shorthand: false });
  return out;
}

/** True if the vocabulary knows this word or phrase (in some form). */
export function known(phrase: string): boolean {
  return phrase in SHORTHAND || related(phrase) !== undefined;
}
